package plaid

import (
	"errors"
	"math"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
)

// cycle samples f at n points of one period.
func cycle(n int, f func(th float64) float64) []float64 {
	x := make([]float64, n)
	for k := range x {
		x[k] = f(2 * math.Pi * float64(k) / float64(n))
	}
	return x
}

// TestRetimeAnalytic re-times a cycle whose voltage fundamental crosses
// zero 10° after the first sample: the current, a DC offset, a lagging
// fundamental and a 5th harmonic, must come out referred to that
// crossing, with the amperes unchanged.
func TestRetimeAnalytic(t *testing.T) {
	const lag = 10 * math.Pi / 180
	v := cycle(500, func(th float64) float64 { return 170 * math.Sin(th-lag) })
	i := cycle(500, func(th float64) float64 {
		return 0.3 + 5*math.Sin(th-lag-math.Pi/6) + 1.5*math.Sin(5*(th-lag)+1)
	})
	e := Event{Voltage: v, Current: i}
	for _, m := range []int{160, 161, 256, 500, 1000} {
		got, err := e.Retime(m)
		if err != nil {
			t.Fatal(err)
		}
		want := cycle(m, func(th float64) float64 { return 0.3 + 5*math.Sin(th-math.Pi/6) + 1.5*math.Sin(5*th+1) })
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-9 {
				t.Fatalf("m=%d: sample %d = %v, want %v", m, k, got[k], want[k])
			}
		}
	}
}

// TestRetimeDropsWhatTheNewCycleCannotCarry: a 60th harmonic has no place
// in a 100-sample cycle (Nyquist order 50); the 49th does.
func TestRetimeBandLimits(t *testing.T) {
	v := cycle(500, math.Sin)
	e := Event{Voltage: v, Current: cycle(500, func(th float64) float64 { return math.Sin(49*th) + math.Sin(60*th) })}
	got, err := e.Retime(100)
	if err != nil {
		t.Fatal(err)
	}
	want := cycle(100, func(th float64) float64 { return math.Sin(49 * th) })
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-9 {
			t.Fatalf("sample %d = %v, want %v", k, got[k], want[k])
		}
	}
}

func TestRetimeRejects(t *testing.T) {
	for name, e := range map[string]Event{
		"no voltage":        {Voltage: make([]float64, 10), Current: make([]float64, 10)},
		"lengths differ":    {Voltage: make([]float64, 10), Current: make([]float64, 9)},
		"two-sample record": {Voltage: []float64{1, -1}, Current: []float64{1, -1}},
	} {
		if _, err := e.Retime(160); !errors.Is(err, ErrRetime) {
			t.Errorf("%s: %v", name, err)
		}
	}
	e := Event{Voltage: cycle(10, math.Sin), Current: cycle(10, math.Sin)}
	if _, err := e.Retime(1); !errors.Is(err, ErrRetime) {
		t.Errorf("m = 1: %v", err)
	}
}

// TestRetimeShared: the PLAID cycles of more than 50 mA re-timed to one
// 50 Hz period at 8 kHz keep their RMS within 1 %, but for the three whose
// electronics draw much above the 79th harmonic (two of appliance 8, one
// of 5: 25 %, 19 % and 2 % less). Smaller cycles are mostly noise, which
// spreads over every order.
func TestRetimeShared(t *testing.T) {
	ds, err := Load(testenv.SharedDir(t, Subdir, Files[:]...))
	if err != nil {
		t.Fatal(err)
	}
	rms := func(x []float64) float64 {
		var s float64
		for _, v := range x {
			s += v * v
		}
		return math.Sqrt(s / float64(len(x)))
	}
	changed := 0
	for k, e := range ds.Events {
		got, err := e.Retime(160)
		if err != nil {
			t.Fatalf("event %d: %v", k, err)
		}
		a, b := rms(e.Current), rms(got)
		if b > a*1.0001 {
			t.Errorf("event %d: RMS %v grew to %v", k, a, b)
		}
		if a > 0.05 && a-b > 0.01*a {
			changed++
		}
	}
	if changed > 3 {
		t.Errorf("%d cycles lost more than 1 %% of their RMS, want at most 3", changed)
	}
}
