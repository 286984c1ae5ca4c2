package ami

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// nilm is web.NILM over the appliance events the head-end reads from the
// meters' NILM modules (hes read-appliances) and the MDM stores on
// meterdata.ApplianceLog; the latest read's appliance table names them.
type nilm struct {
	meta   *meta.DB
	store  store.Store
	status *statusBook // the latest appliance table of each meter
}

// onLookback is how far before a range the breakdown looks for the
// switch-on of an appliance still running at its start.
const onLookback = 24 * time.Hour

// labels names a meter's appliance ids from its latest appliance read.
func (n nilm) labels(ctx context.Context, id store.MeterID) map[uint16]string {
	st, _, err := n.status.get(ctx, id)
	if err != nil {
		return nil
	}
	return st.Appliances
}

func label(labels map[uint16]string, id uint16) string {
	if l, ok := labels[id]; ok && id != 0 {
		return l
	}
	return "unknown"
}

// events reads meter's appliance events in [from, to).
func (n nilm) events(ctx context.Context, meter store.MeterID, from, to time.Time) ([]store.Reading, error) {
	rs, err := n.store.Scan(ctx, store.ScanQuery{Meter: meter, Channel: meterdata.ApplianceLog, Range: store.Range{From: from.UnixMilli(), To: to.UnixMilli()}}, nil)
	return slices.DeleteFunc(rs, func(r store.Reading) bool { return r.Quality&store.Missing != 0 }), err
}

// ApplianceEvents implements web.NILM.
func (n nilm) ApplianceEvents(ctx context.Context, meter store.MeterID, from, to time.Time) ([]web.ApplianceEvent, error) {
	if _, err := n.meta.Meter(ctx, meter); err != nil { // unknown meters are errors, not empty lists
		return nil, err
	}
	rs, err := n.events(ctx, meter, from, to)
	if err != nil {
		return nil, err
	}
	labels := n.labels(ctx, meter)
	out := make([]web.ApplianceEvent, len(rs))
	for i, r := range rs {
		e := meterdata.ApplianceEventOf(r.Value)
		out[i] = web.ApplianceEvent{Time: time.UnixMilli(r.Time).UTC(), Appliance: label(labels, e.Appliance), On: e.On,
			DeltaW: float64(e.DeltaW), Confidence: float64(e.Confidence) / 1000}
	}
	return out, nil
}

// Breakdown implements web.NILM: each appliance's energy is the power
// step of its switch-on held until its switch-off (or the range's end),
// within the range; its share is of the meter's +A over the range, or of
// the appliances' sum when the register says less.
func (n nilm) Breakdown(ctx context.Context, meter store.MeterID, from, to time.Time) ([]web.ApplianceEnergy, error) {
	if _, err := n.meta.Meter(ctx, meter); err != nil { // unknown meters are errors, not empty lists
		return nil, err
	}
	rs, err := n.events(ctx, meter, from.Add(-onLookback), to)
	if err != nil {
		return nil, err
	}
	return breakdown(rs, n.labels(ctx, meter), from, to, n.importWh(ctx, meter, from, to)), nil
}

// breakdown adds up appliance events (from before from, to catch what
// runs at its start) into energy per appliance over [from, to); shares
// are of importWh, or of the appliances' sum when that is more.
func breakdown(rs []store.Reading, labels map[uint16]string, from, to time.Time, importWh float64) []web.ApplianceEnergy {
	type running struct {
		since time.Time
		w     float64
	}
	on := map[uint16]running{}
	energy := map[uint16]*web.ApplianceEnergy{}
	add := func(id uint16, r running, until time.Time) {
		start := r.since
		if start.Before(from) {
			start = from
		}
		if until.After(start) && r.w > 0 {
			energy[id].EnergyWh += r.w * until.Sub(start).Hours()
		}
	}
	for _, x := range rs {
		e, at := meterdata.ApplianceEventOf(x.Value), time.UnixMilli(x.Time).UTC()
		if energy[e.Appliance] == nil {
			energy[e.Appliance] = &web.ApplianceEnergy{Appliance: label(labels, e.Appliance)}
		}
		if r, ok := on[e.Appliance]; ok {
			add(e.Appliance, r, at)
			delete(on, e.Appliance)
		}
		if e.On {
			on[e.Appliance] = running{since: at, w: float64(e.DeltaW)}
			if !at.Before(from) {
				energy[e.Appliance].Events++
			}
		}
	}
	for id, r := range on {
		add(id, r, to)
	}
	var out []web.ApplianceEnergy
	var sum float64
	for _, a := range energy {
		if a.EnergyWh > 0 || a.Events > 0 {
			out = append(out, *a)
			sum += a.EnergyWh
		}
	}
	total := max(sum, importWh)
	for i := range out {
		if total > 0 {
			out[i].Share = out[i].EnergyWh / total
		}
	}
	slices.SortFunc(out, func(a, b web.ApplianceEnergy) int { return cmp.Compare(b.EnergyWh, a.EnergyWh) })
	return out
}

// importWh is the meter's +A over [from, to) as its register says (0
// when unknown).
func (n nilm) importWh(ctx context.Context, meter store.MeterID, from, to time.Time) float64 {
	bs, err := n.store.Aggregate(ctx, store.AggregateQuery{Meters: []store.MeterID{meter}, Channel: store.ActiveImport,
		Range: store.Range{From: from.UnixMilli(), To: to.UnixMilli()}, Step: store.StepDay})
	if err != nil || len(bs) == 0 {
		return 0
	}
	return float64(bs[len(bs)-1].Last - bs[0].First)
}
