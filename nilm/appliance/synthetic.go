package appliance

import "math"

// Synthetic returns built-in appliances at rateHz on mains of mainsHz and
// volts RMS, for machines without the PLAID data: a 2 kW heater
// (resistive), a 250 W motor (PF 0.8 lagging, with a 3rd harmonic), a
// switched-mode supply (a rectifier's narrow current pulses at the
// voltage peaks, in phase: no Q1) and a 60 W lamp. Their P and Q1
// (PowerAt, ReactiveAt) are analytic: 2000 W; 250 W and 187.5 var; for
// the supply's 2.2 A pulses U√2/π·1.1·(2 sin 36° + sin 216°/6 + sin 144°/4),
// 139.46 W at 230 V; 60 W.
func Synthetic(rateHz, mainsHz, volts float64) ([]Appliance, error) {
	m, err := CycleSamples(rateHz, mainsHz)
	if err != nil {
		return nil, err
	}
	gen := func(label string, f func(th float64) float64) Appliance {
		c := make([]float64, m)
		for k := range c {
			c[k] = f(2 * math.Pi * float64(k) / float64(m))
		}
		return Appliance{Label: label, Current: c}
	}
	peak := func(va float64) float64 { return va / volts * math.Sqrt2 }
	phi := math.Acos(0.8)
	smps := func(th float64) float64 {
		// Raised-cosine pulses ±36° around each voltage peak.
		for _, c := range []float64{math.Pi / 2, 3 * math.Pi / 2} {
			if d := math.Abs(th - c); d < math.Pi/5 {
				return math.Copysign(2.2*(1+math.Cos(d*5))/2, math.Pi-c)
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
		gen("lamp", func(th float64) float64 { return peak(60) * math.Sin(th) }),
	}, nil
}
