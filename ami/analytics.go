package ami

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/mdm/analytics"
	"github.com/amigo-ami/amigo/mdm/ingest"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// analyticsView is web.Analytics over the readings store, store/meta and
// the MDM's analytics.
type analyticsView struct {
	store  store.Store
	meta   *meta.DB
	status *statusBook
	ingest *ingest.Consumer // nil when this process runs no MDM: no ingest lag
	now    func() time.Time
}

// classWindow is the stretch of readings a class recommendation rests on:
// its energy is extrapolated to a year, its largest 15-minute demand is
// the peak, and its length against a month is the confidence.
const classWindow = 7 * 24 * time.Hour

// metersPerQuery bounds the meters of one per-meter aggregate, whose
// buckets are held in memory.
const metersPerQuery = 256

// ClassRecommendations implements web.Analytics: each meter's energy over
// the last week (or what there is of it), extrapolated to a month, picks
// the class (analytics.RecommendedClass); S classes count as their number.
func (a analyticsView) ClassRecommendations(ctx context.Context) ([]web.ClassRecommendation, error) {
	ms, err := a.meta.Meters(ctx, meta.MeterFilter{})
	if err != nil {
		return nil, err
	}
	now := a.now()
	rng := store.Range{From: now.Add(-classWindow).UnixMilli(), To: now.UnixMilli() + 1}
	var out []web.ClassRecommendation
	err = a.perMeter(ctx, ms, rng, store.Step15Min, func(m meta.Meter, bs []store.Bucket) {
		if r, ok := recommend(m, bs); ok {
			out = append(out, r)
		}
	})
	return out, err
}

// perMeter aggregates +A of meters over rng by step, metersPerQuery at a
// time, and calls fn with each meter's buckets (none for a meter without
// readings), in the order of meters.
func (a analyticsView) perMeter(ctx context.Context, meters []meta.Meter, rng store.Range, step store.Step, fn func(meta.Meter, []store.Bucket)) error {
	for start := 0; start < len(meters); start += metersPerQuery {
		chunk := meters[start:min(start+metersPerQuery, len(meters))]
		ids := make([]store.MeterID, len(chunk))
		for i, m := range chunk {
			ids[i] = m.ID
		}
		bs, err := a.store.Aggregate(ctx, store.AggregateQuery{Meters: ids, Channel: store.ActiveImport, Range: rng, Step: step, PerMeter: true})
		if err != nil {
			return err
		}
		for _, m := range chunk {
			n := 0
			for n < len(bs) && bs[n].Meter == m.ID {
				n++
			}
			fn(m, bs[:n:n])
			bs = bs[n:]
		}
	}
	return nil
}

// recommend judges one meter from its 15-minute buckets of +A.
func recommend(m meta.Meter, bs []store.Bucket) (web.ClassRecommendation, bool) {
	if len(bs) < 2 {
		return web.ClassRecommendation{}, false
	}
	first, last := bs[0], bs[len(bs)-1]
	span := time.Duration(last.Start-first.Start) * time.Millisecond
	wh := last.Last - first.First
	if span <= 0 || wh < 0 {
		return web.ClassRecommendation{}, false
	}
	var peak int64
	for i := 1; i < len(bs); i++ {
		if bs[i].Start-bs[i-1].Start == int64(15*time.Minute/time.Millisecond) {
			peak = max(peak, (bs[i].First-bs[i-1].First)*4)
		}
	}
	const month = 30 * 24 * time.Hour
	monthly := int64(float64(wh) * float64(month) / float64(span))
	rec := analytics.RecommendedClass(monthly)
	installed := m.AccuracyClass
	r := web.ClassRecommendation{Meter: m.ID, Installed: installed, Recommended: rec, AnnualWh: monthly * 12, PeakW: peak,
		Mismatch: strings.TrimSuffix(installed, "S") != rec, Confidence: min(1, float64(span)/float64(month))}
	switch {
	case installed == "":
		r.Reason = fmt.Sprintf("%.0f kWh a month calls for class %s; no installed class on record", float64(monthly)/1e3, rec)
	case r.Mismatch:
		r.Reason = fmt.Sprintf("%.0f kWh a month calls for class %s, class %s is installed", float64(monthly)/1e3, rec, installed)
	default:
		r.Reason = fmt.Sprintf("%.0f kWh a month: class %s fits", float64(monthly)/1e3, rec)
	}
	return r, true
}

// LoadCurveAlarms implements web.Analytics: the load-deviation alarms the
// MDM's load-curve check raised for days in [from, to).
func (a analyticsView) LoadCurveAlarms(ctx context.Context, from, to time.Time) ([]web.LoadCurveAlarm, error) {
	as, err := a.meta.Alarms(ctx, meta.AlarmFilter{})
	if err != nil {
		return nil, err
	}
	var out []web.LoadCurveAlarm
	for _, al := range as {
		if al.Kind != "load-deviation" || al.RaisedAt.Before(from) || !al.RaisedAt.Before(to) {
			continue
		}
		out = append(out, web.LoadCurveAlarm{Meter: al.Meter, Kind: al.Kind, Severity: al.Severity, From: al.RaisedAt,
			To: al.RaisedAt.Add(24 * time.Hour), Score: 1, Message: al.Message})
	}
	return out, nil
}

// FleetQuality implements web.Analytics. A meter is expected to have a
// 15-minute +A reading from its first reading in the period on (a meter
// installed or first read within the period owes nothing before); what
// is not received is missing. Validation and estimation happen in the
// VEE runs (`amigo mdm vee`), so everything received counts as valid
// here. The ingest lag is the last batch's, when this process ingests.
func (a analyticsView) FleetQuality(ctx context.Context, from, to time.Time) (web.FleetQuality, error) {
	ms, err := a.meta.Meters(ctx, meta.MeterFilter{})
	if err != nil {
		return web.FleetQuality{}, err
	}
	q := web.FleetQuality{From: from, To: to, Meters: len(ms)}
	type tally struct {
		meters               int
		expected, received   int64
		commsOK, commsMeters float64
	}
	groups := map[string]*tally{}
	var order []string
	rng := store.Range{From: from.UnixMilli(), To: to.UnixMilli()}
	const interval = int64(15 * time.Minute / time.Millisecond)
	err = a.perMeter(ctx, ms, rng, store.StepHour, func(m meta.Meter, bs []store.Bucket) {
		g := groups[m.Group]
		if g == nil {
			g = &tally{}
			groups[m.Group] = g
			order = append(order, m.Group)
		}
		g.meters++
		if len(bs) > 0 {
			g.expected += (rng.To - bs[0].Start) / interval
			for _, b := range bs {
				g.received += b.Count
			}
		}
		if st, err := a.status.Status(ctx, m.ID); err == nil && st.CommsSuccess >= 0 {
			g.commsOK += st.CommsSuccess
			g.commsMeters++
		}
	})
	if err != nil {
		return web.FleetQuality{}, err
	}
	for _, name := range order {
		g := groups[name]
		q.Expected += g.expected
		q.Received += min(g.received, g.expected)
		gq := web.GroupQuality{Group: name, Meters: g.meters}
		if g.expected > 0 {
			gq.Completeness = min(1, float64(g.received)/float64(g.expected))
		}
		if g.commsMeters > 0 {
			gq.CommsSuccess = g.commsOK / g.commsMeters
		}
		q.Groups = append(q.Groups, gq)
	}
	q.Valid, q.Missing = q.Received, q.Expected-q.Received
	if a.ingest != nil {
		lag := time.Duration(a.ingest.Metrics().LagMs) * time.Millisecond
		q.IngestLagP50, q.IngestLagP95 = lag, lag
	}
	return q, nil
}
