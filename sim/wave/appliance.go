package wave

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// Mains is the simulated supply: 230 V at 50 Hz.
const (
	Voltage = 230.0
	Mains   = 50.0
)

// Appliance is one appliance's steady current over one mains cycle.
type Appliance struct {
	Name string
	// Current is one cycle at the meter's rate, in amperes, sample k at
	// phase 2πk/len(Current) of the voltage.
	Current []float64
	// P and Q1 are the active and fundamental reactive power it draws at
	// Voltage (W, var): the analytic truth of what a meter registers.
	P, Q1 float64
}

// cycleLen is the samples in one mains cycle at rate.
func cycleLen(rate float64) (int, error) {
	n := rate / Mains
	if n != math.Trunc(n) || rate < metrology.MinRate(Mains) || rate > metrology.MaxRate {
		return 0, fmt.Errorf("wave: rate %v Hz: want a multiple of %v Hz from %v to %v", rate, Mains, metrology.MinRate(Mains), metrology.MaxRate)
	}
	return int(n), nil
}

// newAppliance computes the powers of a cycle of current.
func newAppliance(name string, current []float64) Appliance {
	a := Appliance{Name: name, Current: current}
	n := float64(len(current))
	var re, im float64 // fundamental of i against sin (in phase with u) and cos
	for k, i := range current {
		th := 2 * math.Pi * float64(k) / n
		re += i * math.Sin(th)
		im += i * math.Cos(th)
	}
	// u = U√2 sin θ: P = U·I1·cos φ = U√2/2 · (2/n)Σ i sin θ; Q1 is
	// positive for lagging current (i ∝ sin(θ−φ) has a −cos component).
	a.P = Voltage * math.Sqrt2 / n * re
	a.Q1 = -Voltage * math.Sqrt2 / n * im
	return a
}

// Resample returns the band-limited interpolation of one periodic cycle
// onto m samples, scaled by gain, without its DC component.
func Resample(cycle []float64, m int, gain float64) []float64 {
	n := len(cycle)
	top := min((n-1)/2, (m-1)/2) // highest harmonic both cycles carry
	a := make([]float64, top+1)
	b := make([]float64, top+1)
	for h := 1; h <= top; h++ {
		for j, x := range cycle {
			th := 2 * math.Pi * float64(h*j) / float64(n)
			a[h] += x * math.Cos(th)
			b[h] += x * math.Sin(th)
		}
		a[h] *= 2 / float64(n)
		b[h] *= 2 / float64(n)
	}
	out := make([]float64, m)
	for k := range out {
		var x float64
		for h := 1; h <= top; h++ {
			th := 2 * math.Pi * float64(h*k) / float64(m)
			x += a[h]*math.Cos(th) + b[h]*math.Sin(th)
		}
		out[k] = gain * x
	}
	return out
}

// FromPLAID makes an appliance of each label of the PLAID cut (its first
// switch-on cycle), at rate.
func FromPLAID(ds *plaid.Dataset, rate float64) ([]Appliance, error) {
	m, err := cycleLen(rate)
	if err != nil {
		return nil, err
	}
	var out []Appliance
	for _, label := range ds.Labels() {
		for _, e := range ds.Events {
			if e.Label != label || !e.On {
				continue
			}
			out = append(out, newAppliance("plaid-"+label, Resample(e.Current, m, rms(e.Voltage)/Voltage)))
			break
		}
	}
	if len(out) == 0 {
		return nil, errors.New("wave: the PLAID cut has no switch-on event")
	}
	return out, nil
}

func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// Synthetic returns built-in appliances at rate: a 2 kW heater (resistive),
// a 250 W motor (PF 0.8 lagging, 3rd harmonic), a 120 W switched-mode
// supply (narrow current pulses at the voltage peaks) and a 10 W lamp.
func Synthetic(rate float64) ([]Appliance, error) {
	m, err := cycleLen(rate)
	if err != nil {
		return nil, err
	}
	gen := func(name string, f func(th float64) float64) Appliance {
		c := make([]float64, m)
		for k := range c {
			c[k] = f(2 * math.Pi * float64(k) / float64(m))
		}
		return newAppliance(name, c)
	}
	peak := func(w float64) float64 { return w / Voltage * math.Sqrt2 }
	phi := math.Acos(0.8)
	smps := func(th float64) float64 {
		// Pulses ±36° around each voltage peak, shaped as a raised cosine.
		for _, c := range []float64{math.Pi / 2, 3 * math.Pi / 2} {
			if d := math.Abs(th - c); d < math.Pi/5 {
				s := 1.0
				if c > math.Pi {
					s = -1
				}
				return s * 2.2 * (1 + math.Cos(d*5)) / 2
			}
		}
		return 0
	}
	return []Appliance{
		gen("heater", func(th float64) float64 { return peak(2000) * math.Sin(th) }),
		gen("motor", func(th float64) float64 {
			return peak(250/0.8)*math.Sin(th-phi) + 0.15*peak(250/0.8)*math.Sin(3*th)
		}),
		gen("smps", smps),
		gen("lamp", func(th float64) float64 { return peak(10) * math.Sin(th) }),
	}, nil
}

// Labels returns the names of apps, for logs.
func Labels(apps []Appliance) []string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.Name + " (" + strconv.FormatFloat(a.P, 'f', 0, 64) + " W)"
	}
	return out
}
