package ami

import (
	"context"
	"strings"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// fleet is web.Fleet: the meters of store/meta with the status the head-end
// and the MDM keep in the status book.
type fleet struct {
	meta   *meta.DB
	status *statusBook
}

// fleetPage is how many meters one metadata query takes while filtering.
const fleetPage = 512

// Meters implements web.Fleet.
func (f fleet) Meters(ctx context.Context, q web.MeterQuery) ([]web.Meter, error) {
	var out []web.Meter
	after := q.After
	for len(out) < q.Limit {
		ms, err := f.meta.Meters(ctx, meta.MeterFilter{Group: q.Group, AfterID: after, Limit: fleetPage})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if !strings.HasPrefix(m.Serial, q.SerialPrefix) || (q.Class != "" && q.Class != m.AccuracyClass) {
				continue
			}
			st, err := f.status.Status(ctx, m.ID)
			if err != nil {
				return nil, err
			}
			if q.Status != "" && q.Status != st.Comms && q.Status != st.Supply {
				continue
			}
			if out = append(out, web.Meter{Meter: m, Status: st}); len(out) == q.Limit {
				break
			}
		}
		if len(ms) < fleetPage {
			break
		}
		after = ms[len(ms)-1].ID
	}
	return out, nil
}

// Meter implements web.Fleet.
func (f fleet) Meter(ctx context.Context, id store.MeterID) (web.Meter, error) {
	m, err := f.meta.Meter(ctx, id)
	if err != nil {
		return web.Meter{}, err
	}
	st, err := f.status.Status(ctx, id)
	if err != nil {
		return web.Meter{}, err
	}
	return web.Meter{Meter: m, Status: st}, nil
}
