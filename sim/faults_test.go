package sim

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/sim/fault"
)

// run advances a fleet in steps to end and returns the mean fraction of
// meters unreachable at the steps.
func run(f *Fleet, end time.Time, step time.Duration) float64 {
	var sum float64
	n := 0
	for at := f.Clock().Now().Add(step); !at.After(end); at = at.Add(step) {
		f.AdvanceTo(at)
		sum += float64(f.Stats().Unreachable) / float64(f.Len())
		n++
	}
	return sum / float64(n)
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*want {
		t.Errorf("%s: %.4g, want %.4g ± %.0f %%", what, got, want, tol*100)
	}
}

// Each fault kind happens to the fleet's meters at its configured rate,
// and the meters record what it did: power downs in the standard event
// log, tamper sensors in the tamper log, clocks off by their drift.
func TestFaultsHappenAtTheirRates(t *testing.T) {
	const meters, days = 200, 3
	spec, err := fault.Parse("offline=10%@1h,outage=2%@30m,restart=1/day,tamper=3/day,icloss=1/day,drift=100ppm")
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Meters: meters, Start: t0, Seed: 3, Faults: spec, Load: "constant:500", FastStep: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	span := days * 24 * time.Hour
	unreachable := run(f, t0.Add(span), 15*time.Minute)
	st := f.Stats()
	hours := float64(meters) * span.Hours()
	// Unreachable: offline or without power (independent).
	near(t, "fraction unreachable", unreachable, 1-(1-0.10)*(1-0.02), 0.12)
	near(t, "offline periods", float64(st.Offline), hours/10, 0.12)      // a cycle of 1 h + 9 h
	near(t, "outages", float64(st.Outages), hours/25, 0.15)              // 30 min + 24.5 h
	near(t, "restarts", float64(st.Restarts), meters*days, 0.12)         // 1 a day
	near(t, "tamper episodes", float64(st.Tampers), meters*days*3, 0.08) // 3 a day (+5.5 min each)
	near(t, "invocation counter losses", float64(st.ICLosses), meters*days, 0.12)
	var downs, tampers int
	for k := range meters {
		m := f.Meter(k)
		for _, e := range m.Events(eventlog.Standard) {
			if e.Code == eventlog.PowerDown {
				downs++
			}
		}
		for _, e := range m.Events(eventlog.Tamper) {
			switch e.Code {
			case eventlog.MeterCoverOpened, eventlog.TerminalCoverOpened, eventlog.MagneticField:
				tampers++
			}
		}
		// The clock runs fast or slow by the meter's drift, through
		// outages too.
		want := f.units[k].plan.Load().DriftPPM() * 1e-6 * span.Seconds()
		if !m.Powered() {
			continue // its time is the power down's until it comes back
		}
		if got := m.Now().Sub(m.TrueNow()).Seconds(); math.Abs(got-want) > 1 {
			t.Fatalf("meter %d: clock off by %.1f s, drift %.1f ppm says %.1f s", k, got, f.units[k].plan.Load().DriftPPM(), want)
		}
	}
	// Overlapping outages and restarts are one power down.
	if downs > int(st.Outages+st.Restarts) || float64(downs) < 0.97*float64(st.Outages+st.Restarts) {
		t.Errorf("%d power downs recorded for %d outages and %d restarts", downs, st.Outages, st.Restarts)
	}
	// A meter without power sees no tamper episode that ends before the
	// power comes back.
	if tampers > int(st.Tampers) || float64(tampers) < 0.95*float64(st.Tampers) {
		t.Errorf("%d tamper events recorded for %d episodes", tampers, st.Tampers)
	}
}

// The same seed gives the same fleet: the same faults at the same times,
// the same registers and event logs; another seed does not.
func TestSameSeedSameFleet(t *testing.T) {
	spec, err := fault.Parse("offline=5%@1h,outage=1%@20m,restart=0.5/day,tamper=1/day,icloss=0.5/day,drift=50ppm")
	if err != nil {
		t.Fatal(err)
	}
	type meterState struct {
		imports []int64
		events  []eventlog.Event
		clock   time.Time
	}
	sim := func(seed uint64) (Stats, []meterState) {
		f, err := New(Config{Meters: 60, Start: t0, Seed: seed, Faults: spec, FastStep: 15 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		run(f, t0.Add(48*time.Hour), 15*time.Minute)
		out := make([]meterState, f.Len())
		for k := range out {
			m := f.Meter(k)
			_, out[k].imports = lp15(m)
			out[k].events = m.Events(eventlog.Standard)
			out[k].clock = m.Now()
		}
		st := f.Stats()
		st.Unreachable = 0
		return st, out
	}
	sa, ma := sim(5)
	sb, mb := sim(5)
	if sa != sb {
		t.Fatalf("same seed, different stats:\n%+v\n%+v", sa, sb)
	}
	for k := range ma {
		if !slices.Equal(ma[k].imports, mb[k].imports) || !slices.Equal(ma[k].events, mb[k].events) || !ma[k].clock.Equal(mb[k].clock) {
			t.Fatalf("same seed, meter %d differs", k)
		}
	}
	if sc, _ := sim(6); sc == sa {
		t.Fatal("another seed, the same stats")
	}
}

// SetFaults ends the faults in progress at once and replaces the plans:
// the zero Spec calms the fleet for good.
func TestSetFaults(t *testing.T) {
	spec, _ := fault.Parse("offline=40%@1h,outage=20%@1h,tamper=10/day")
	f, err := New(Config{Meters: 50, Start: t0, Seed: 1, Faults: spec, FastStep: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run(f, t0.Add(6*time.Hour), 15*time.Minute)
	if st := f.Stats(); st.Unreachable == 0 || st.Outages == 0 {
		t.Fatalf("no faults to stop: %+v", st)
	}
	f.SetFaults(fault.Spec{})
	before := f.Stats()
	if before.Unreachable != 0 {
		t.Fatalf("%d meters still unreachable", before.Unreachable)
	}
	if unreachable := run(f, t0.Add(12*time.Hour), 15*time.Minute); unreachable != 0 {
		t.Fatalf("faults after SetFaults: %v unreachable", unreachable)
	}
	after := f.Stats()
	if after.Offline != before.Offline || after.Outages != before.Outages || after.Tampers != before.Tampers {
		t.Fatalf("faults started after SetFaults: %+v then %+v", before, after)
	}
	for k := range f.Len() {
		if !f.Meter(k).Powered() {
			t.Fatalf("meter %d without power", k)
		}
	}
	f.SetFaults(spec)
	run(f, t0.Add(18*time.Hour), 15*time.Minute)
	if st := f.Stats(); st.Offline == after.Offline {
		t.Fatal("no fault after SetFaults with a spec again")
	}
}
