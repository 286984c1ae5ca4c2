package webtest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/web"
)

// MDM fakes what the MDM and the meters' modules would answer: events,
// analytics, NILM and power-quality captures. Answers are deterministic
// functions of the meter, the range and the seed.
type MDM struct {
	b    *Backend
	seed uint64
}

func (d *MDM) rng(id store.MeterID, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(d.seed^uint64(id), salt))
}

var eventKinds = []struct {
	code int
	kind string
	msg  string
}{
	{1, "power-down", "power down"},
	{2, "power-up", "power up"},
	{4, "clock-adjusted", "clock adjusted (old time)"},
	{40, "terminal-cover-opened", "terminal cover opened"},
	{47, "firmware-activated", "firmware activated"},
	{76, "strong-dc-field", "strong DC field detected"},
}

// Events implements web.Events: each meter logged one event every ~7
// hours in the last 30 days. Ids are meter·1000 + index, so newest first
// is descending id per meter.
func (d *MDM) Events(_ context.Context, q web.EventQuery) ([]web.Event, error) {
	var all []web.Event
	for _, id := range d.b.Meters {
		if q.Meter != 0 && q.Meter != id {
			continue
		}
		rng := d.rng(id, 1)
		t := d.b.Now().AddDate(0, 0, -30)
		for i := 0; ; i++ {
			t = t.Add(time.Duration(3+rng.IntN(8)) * time.Hour)
			if !t.Before(d.b.Now()) {
				break
			}
			k := eventKinds[rng.IntN(len(eventKinds))]
			all = append(all, web.Event{ID: int64(id)*1000 + int64(i) + 1, Meter: id, Time: t, Code: k.code, Kind: k.kind, Message: k.msg})
		}
	}
	slices.SortFunc(all, func(a, b web.Event) int { return cmp.Compare(b.ID, a.ID) })
	var out []web.Event
	for _, e := range all {
		if (q.Before == 0 || e.ID < q.Before) && (q.Kind == "" || q.Kind == e.Kind) &&
			(q.From.IsZero() || !e.Time.Before(q.From)) && (q.To.IsZero() || e.Time.Before(q.To)) && len(out) < q.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// ClassRecommendations implements web.Analytics: a meter whose yearly
// energy exceeds 10 MWh (or peak 15 kW) should be class 0.5S, above
// 100 MWh class 0.2S, else class 1.
func (d *MDM) ClassRecommendations(ctx context.Context) ([]web.ClassRecommendation, error) {
	var out []web.ClassRecommendation
	for i, id := range d.b.Meters {
		m, err := d.b.Meta.Meter(ctx, id)
		if err != nil {
			return nil, err
		}
		annual := int64(2_800_000 + i*410_000)
		peak := int64(4_000 + i*600)
		rec, reason := "1", "household load: class 1 (B) suffices"
		switch {
		case annual > 100_000_000:
			rec, reason = "0.2S", "over 100 MWh a year"
		case annual > 10_000_000 || peak > 15_000:
			rec, reason = "0.5S", fmt.Sprintf("%.1f MWh a year, peak %.1f kW: class 0.5S keeps the error under the settlement tolerance", float64(annual)/1e6, float64(peak)/1e3)
		}
		out = append(out, web.ClassRecommendation{Meter: id, Installed: m.AccuracyClass, Recommended: rec, Mismatch: m.AccuracyClass != rec,
			AnnualWh: annual, PeakW: peak, Reason: reason, Confidence: 0.8 + 0.01*float64(i%20)})
	}
	return out, nil
}

// LoadCurveAlarms implements web.Analytics.
func (d *MDM) LoadCurveAlarms(_ context.Context, from, to time.Time) ([]web.LoadCurveAlarm, error) {
	kinds := []struct{ kind, sev, msg string }{
		{"night-load", "warning", "night-time load 3.1× the 30-day median"},
		{"flat-line", "critical", "register unchanged for 26 hours while online"},
		{"spike", "info", "15-minute demand 4.2× the meter's 95th percentile"},
		{"reverse-flow", "warning", "export on a meter without generation"},
	}
	var out []web.LoadCurveAlarm
	for i, id := range d.b.Meters {
		if i%4 != 1 {
			continue
		}
		k := kinds[(i/4)%len(kinds)]
		start := to.Add(-time.Duration(i+3) * 3 * time.Hour)
		if start.Before(from) {
			continue
		}
		out = append(out, web.LoadCurveAlarm{Meter: id, Kind: k.kind, Severity: k.sev, From: start, To: start.Add(2 * time.Hour), Score: 2 + float64(i)/5, Message: k.msg})
	}
	return out, nil
}

// FleetQuality implements web.Analytics.
func (d *MDM) FleetQuality(_ context.Context, from, to time.Time) (web.FleetQuality, error) {
	n := len(d.b.Meters)
	perMeter := int64(to.Sub(from) / (15 * time.Minute))
	q := web.FleetQuality{From: from, To: to, Meters: n, Expected: perMeter * int64(n), IngestLagP50: 42 * time.Second, IngestLagP95: 3*time.Minute + 10*time.Second}
	q.Missing = q.Expected / 120
	q.Received = q.Expected - q.Missing - q.Expected/200
	q.Estimated = q.Expected / 200
	q.Suspect = q.Expected / 900
	q.Valid = q.Received - q.Suspect
	for gi, g := range groups {
		q.Groups = append(q.Groups, web.GroupQuality{Group: g, Meters: (n + len(groups) - 1 - gi) / len(groups), Completeness: 0.995 - 0.004*float64(gi), CommsSuccess: 0.99 - 0.02*float64(gi)})
	}
	return q, nil
}

var appliances = []struct {
	name string
	w    float64
	mins int
}{
	{"fridge", 120, 15}, {"kettle", 2200, 3}, {"washing machine", 1900, 55}, {"oven", 2400, 40},
	{"heat pump", 1600, 90}, {"dishwasher", 1800, 70}, {"television", 110, 150}, {"ev charger", 7200, 180},
}

// ApplianceEvents implements web.NILM: on/off pairs through the day.
func (d *MDM) ApplianceEvents(_ context.Context, meter store.MeterID, from, to time.Time) ([]web.ApplianceEvent, error) {
	rng := d.rng(meter, 2)
	var out []web.ApplianceEvent
	day := from.Truncate(24 * time.Hour)
	for ; day.Before(to); day = day.Add(24 * time.Hour) {
		for ai, a := range appliances {
			if ai == 7 && meter%3 != 0 {
				continue // only some households have an EV
			}
			runs := 1 + rng.IntN(3)
			if a.name == "fridge" {
				runs = 24
			}
			for r := range runs {
				on := day.Add(time.Duration(r*1440/runs+rng.IntN(1440/runs)) * time.Minute)
				off := on.Add(time.Duration(a.mins) * time.Minute)
				conf := 0.75 + 0.2*rng.Float64()
				for _, e := range []web.ApplianceEvent{{Time: on, Appliance: a.name, On: true, DeltaW: a.w, Confidence: conf}, {Time: off, Appliance: a.name, DeltaW: -a.w, Confidence: conf}} {
					if !e.Time.Before(from) && e.Time.Before(to) {
						out = append(out, e)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b web.ApplianceEvent) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// Breakdown implements web.NILM from the same events.
func (d *MDM) Breakdown(ctx context.Context, meter store.MeterID, from, to time.Time) ([]web.ApplianceEnergy, error) {
	es, err := d.ApplianceEvents(ctx, meter, from, to)
	if err != nil {
		return nil, err
	}
	byName := map[string]*web.ApplianceEnergy{}
	var total float64
	for _, a := range appliances {
		for _, e := range es {
			if e.Appliance == a.name && e.On {
				x := byName[a.name]
				if x == nil {
					x = &web.ApplianceEnergy{Appliance: a.name}
					byName[a.name] = x
				}
				x.Events++
				x.EnergyWh += a.w * float64(a.mins) / 60
				total += a.w * float64(a.mins) / 60
			}
		}
	}
	var out []web.ApplianceEnergy
	for _, x := range byName {
		x.Share = x.EnergyWh / total
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b web.ApplianceEnergy) int { return cmp.Compare(b.EnergyWh, a.EnergyWh) })
	return out, nil
}

// Snapshot implements web.PowerQuality: a 50 Hz voltage with 3rd, 5th and
// 7th harmonics and a rectifier-like current, with THD computed from the
// same harmonic amplitudes the waveform is drawn from.
func (d *MDM) Snapshot(_ context.Context, meter store.MeterID) (web.PQSnapshot, error) {
	rng := d.rng(meter, 3)
	u1, i1 := 229+4*rng.Float64(), 4+6*rng.Float64()
	uh := map[int]float64{3: 0.021, 5: 0.034, 7: 0.012, 9: 0.006, 11: 0.008, 13: 0.005}
	ih := map[int]float64{3: 0.38, 5: 0.21, 7: 0.11, 9: 0.07, 11: 0.05, 13: 0.03}
	ph := web.PQPhase{Phase: "a", URMS: 0, IRMS: 0, PF: 0.93}
	var su, si float64
	for h := 1; h <= 25; h++ {
		u, i := u1*uh[h], i1*ih[h]
		if h == 1 {
			u, i = u1, i1
		} else {
			su += u * u
			si += i * i
		}
		ph.Harmonics = append(ph.Harmonics, web.Harmonic{H: h, URMS: u, IRMS: i})
	}
	ph.URMS, ph.IRMS = math.Sqrt(u1*u1+su), math.Sqrt(i1*i1+si)
	ph.THDU, ph.THDI = math.Sqrt(su)/u1, math.Sqrt(si)/i1
	ph.PW = u1 * i1 * ph.PF
	const rate, n = 6400.0, 256 // two cycles at 50 Hz
	w := &web.Waveform{RateHz: rate, U: map[string][]float64{"a": make([]float64, n)}, I: map[string][]float64{"a": make([]float64, n)}}
	for k := range n {
		t := float64(k) / rate
		var u, i float64
		for _, hv := range ph.Harmonics {
			wt := 2 * math.Pi * 50 * float64(hv.H) * t
			u += math.Sqrt2 * hv.URMS * math.Sin(wt)
			i += math.Sqrt2 * hv.IRMS * math.Sin(wt-0.37*float64(hv.H))
		}
		w.U["a"][k], w.I["a"][k] = u, i
	}
	return web.PQSnapshot{Time: d.b.Now(), FrequencyHz: 49.98 + 0.04*rng.Float64(), Phases: []web.PQPhase{ph}, Waveform: w}, nil
}
