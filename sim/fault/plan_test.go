package fault

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

// tally runs the plans of meters meters for span and sums what happened.
type tally struct {
	down     [numKinds]time.Duration // time in each period fault
	starts   [numKinds]int
	sensors  [numSensors]int
	unpaired int // ends without a start, starts after a start
}

func run(t *testing.T, spec Spec, seed uint64, meters int, span time.Duration) tally {
	t.Helper()
	var out tally
	end := t0.Add(span)
	for m := range meters {
		p := NewPlan(&spec, seed, m, t0)
		var since [numKinds]time.Time
		for !p.Next().IsZero() && p.Next().Before(end) {
			e := p.Pop()
			if e.Kind == ICLoss {
				out.starts[ICLoss]++
				continue
			}
			switch {
			case e.Start && since[e.Kind].IsZero():
				since[e.Kind] = e.At
				out.starts[e.Kind]++
				if e.Kind == Tamper {
					out.sensors[e.Sensor]++
				}
			case !e.Start && !since[e.Kind].IsZero():
				out.down[e.Kind] += e.At.Sub(since[e.Kind])
				since[e.Kind] = time.Time{}
			default:
				out.unpaired++
			}
		}
		for k, s := range since {
			if !s.IsZero() {
				out.down[k] += end.Sub(s)
			}
		}
	}
	return out
}

// within fails unless got is within tol (relative) of want.
func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*want {
		t.Errorf("%s: %.5g, want %.5g ± %.0f %%", what, got, want, tol*100)
	} else {
		t.Logf("%s: %.5g (want %.5g)", what, got, want)
	}
}

// Each period fault holds for its fraction of the time in periods of its
// mean length, and the rated ones happen at their rate: 1,000 meters over
// 30 days.
func TestPlanRates(t *testing.T) {
	spec, err := Parse("offline=5%@2h,outage=1%@20m,restart=0.5/day,tamper=2/day,icloss=0.2/day")
	if err != nil {
		t.Fatal(err)
	}
	const meters, days = 1000, 30
	span := days * 24 * time.Hour
	total := float64(meters) * float64(span)
	got := run(t, spec, 7, meters, span)
	if got.unpaired != 0 {
		t.Fatalf("%d events out of order", got.unpaired)
	}
	within(t, "offline fraction", float64(got.down[Offline])/total, 0.05, 0.05)
	within(t, "outage fraction", float64(got.down[Outage])/total, 0.01, 0.07)
	within(t, "mean offline period (h)", got.down[Offline].Hours()/float64(got.starts[Offline]), 2, 0.05)
	within(t, "mean outage (min)", got.down[Outage].Minutes()/float64(got.starts[Outage]), 20, 0.07)
	// Rated faults: a start every PER/R after the previous one ended.
	perDay := func(k Kind, r float64, length time.Duration) float64 {
		return float64(meters*days) * 24 * float64(time.Hour) / (24*float64(time.Hour)/r + float64(length))
	}
	within(t, "restarts", float64(got.starts[Restart]), perDay(Restart, 0.5, RestartDowntime), 0.04)
	within(t, "tamper episodes", float64(got.starts[Tamper]), perDay(Tamper, 2, (TamperMin+TamperMax)/2), 0.04)
	within(t, "counter losses", float64(got.starts[ICLoss]), 0.2*meters*days, 0.06)
	within(t, "mean tamper episode (min)", got.down[Tamper].Minutes()/float64(got.starts[Tamper]), 5.5, 0.03)
	if d := got.down[Restart] / time.Duration(got.starts[Restart]); d < RestartDowntime-time.Second || d > RestartDowntime {
		t.Errorf("restart downtime %v", d)
	}
	for s, n := range got.sensors {
		within(t, "tamper sensor "+string(rune('0'+s)), float64(n), float64(got.starts[Tamper])/3, 0.06)
	}
}

// The same seed gives the same plan; each kind has its own stream, so
// adding one kind leaves the others' schedules alone; other seeds and
// other meters differ.
func TestPlanReproducible(t *testing.T) {
	events := func(spec string, seed uint64, meter int) []Event {
		s, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		p := NewPlan(&s, seed, meter, t0)
		var out []Event
		for len(out) < 200 {
			out = append(out, p.Pop())
		}
		return out
	}
	only := func(es []Event, k Kind) []Event {
		var out []Event
		for _, e := range es {
			if e.Kind == k {
				out = append(out, e)
			}
		}
		return out
	}
	const spec = "offline=5%@1h,outage=1%,restart=1/day,tamper=1/day,icloss=1/day"
	a, b := events(spec, 42, 3), events(spec, 42, 3)
	if !equal(a, b) {
		t.Fatal("same seed, different plans")
	}
	if equal(a, events(spec, 43, 3)) || equal(a, events(spec, 42, 4)) {
		t.Fatal("another seed or meter gives the same plan")
	}
	alone, off := events("offline=5%@1h", 42, 3), only(a, Offline)
	if len(off) < 20 || !equal(off[:20], alone[:20]) {
		t.Fatal("adding fault kinds changed the offline schedule")
	}
	sa, _ := Parse("drift=50ppm,loss=0.1")
	sb, _ := Parse("drift=50ppm")
	pa, pb := NewPlan(&sa, 9, 1, t0), NewPlan(&sb, 9, 1, t0)
	if pa.DriftPPM() != pb.DriftPPM() || pa.DriftPPM() == 0 {
		t.Fatalf("drift %v and %v", pa.DriftPPM(), pb.DriftPPM())
	}
	fa, fb := NewPlan(&sa, 9, 1, t0), NewPlan(&sa, 9, 1, t0)
	for range 1000 {
		if fa.Frame() != fb.Frame() {
			t.Fatal("same seed, different frame fates")
		}
	}
}

func equal(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].At.Equal(b[i].At) || a[i].Kind != b[i].Kind || a[i].Start != b[i].Start || a[i].Sensor != b[i].Sensor {
			return false
		}
	}
	return true
}

// Frames are lost and corrupted at their probabilities (exclusive fates),
// delayed by the latency ± jitter; drifts are uniform in ±X.
func TestFrameFatesAndDrift(t *testing.T) {
	spec, err := Parse("loss=0.1,corrupt=0.01,latency=20ms~10ms,drift=50ppm")
	if err != nil {
		t.Fatal(err)
	}
	const frames = 400_000
	var lost, bad int
	var delay time.Duration
	for m := range 4 {
		p := NewPlan(&spec, 1, m, t0)
		for range frames / 4 {
			f := p.Frame()
			if f.Drop && f.Corrupt {
				t.Fatal("a frame both lost and corrupted")
			}
			if f.Delay < 10*time.Millisecond || f.Delay > 30*time.Millisecond {
				t.Fatalf("delay %v", f.Delay)
			}
			delay += f.Delay
			if f.Drop {
				lost++
			}
			if f.Corrupt {
				bad++
			}
		}
	}
	// Binomial: 4 standard deviations.
	check := func(what string, n int, p float64) {
		sd := math.Sqrt(frames * p * (1 - p))
		if math.Abs(float64(n)-frames*p) > 4*sd {
			t.Errorf("%s: %d of %d, want %.0f ± %.0f", what, n, frames, frames*p, 4*sd)
		}
	}
	check("lost", lost, 0.1)
	check("corrupted", bad, 0.01)
	within(t, "mean delay (ms)", float64(delay/frames)/1e6, 20, 0.01)
	var sum, sq float64
	const meters = 20000
	for m := range meters {
		d := NewPlan(&spec, 5, m, t0).DriftPPM()
		if math.Abs(d) > 50 {
			t.Fatalf("drift %v ppm", d)
		}
		sum += d
		sq += d * d
	}
	if mean := sum / meters; math.Abs(mean) > 4*50/math.Sqrt(3*meters) {
		t.Errorf("mean drift %v ppm", mean)
	}
	within(t, "drift variance", sq/meters, 50*50/3.0, 0.05)
	if NewPlan(&Spec{}, 1, 1, t0) != nil {
		t.Fatal("a zero spec has a plan")
	}
	var nilPlan *Plan
	if nilPlan.Frame() != (Frame{}) || !nilPlan.Next().IsZero() || nilPlan.DriftPPM() != 0 {
		t.Fatal("a nil plan injects faults")
	}
}
