package webtest

import (
	"context"
	"strings"
	"sync"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// Fleet is web.Fleet over meta's meters and an in-memory status per meter,
// as the head-end would keep it.
type Fleet struct {
	meta   *meta.DB
	mu     sync.Mutex
	status map[store.MeterID]*web.MeterStatus
}

// Status returns a copy of a meter's status.
func (f *Fleet) Status(id store.MeterID) web.MeterStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.copyStatus(id)
}

// copyStatus copies id's status; f.mu is held.
func (f *Fleet) copyStatus(id store.MeterID) web.MeterStatus {
	s, ok := f.status[id]
	if !ok {
		return web.MeterStatus{Comms: web.CommsUnknown, CommsSuccess: -1}
	}
	c := *s
	if s.Credit != nil {
		credit := *s.Credit
		c.Credit = &credit
	}
	return c
}

// update changes a meter's status under the lock and returns the result.
func (f *Fleet) update(id store.MeterID, fn func(*web.MeterStatus)) web.MeterStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.status[id]; ok {
		fn(s)
	}
	return f.copyStatus(id)
}

// Meters implements web.Fleet.
func (f *Fleet) Meters(ctx context.Context, q web.MeterQuery) ([]web.Meter, error) {
	var out []web.Meter
	after := q.After
	for len(out) < q.Limit {
		ms, err := f.meta.Meters(ctx, meta.MeterFilter{Group: q.Group, AfterID: after, Limit: 256})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			st := f.Status(m.ID)
			if strings.HasPrefix(m.Serial, q.SerialPrefix) && (q.Class == "" || q.Class == m.AccuracyClass) &&
				(q.Status == "" || q.Status == st.Comms || q.Status == st.Supply) && len(out) < q.Limit {
				out = append(out, web.Meter{Meter: m, Status: st})
			}
		}
		if len(ms) < 256 {
			break
		}
		after = ms[len(ms)-1].ID
	}
	return out, nil
}

// Meter implements web.Fleet.
func (f *Fleet) Meter(ctx context.Context, id store.MeterID) (web.Meter, error) {
	m, err := f.meta.Meter(ctx, id)
	if err != nil {
		return web.Meter{}, err
	}
	return web.Meter{Meter: m, Status: f.Status(id)}, nil
}
