package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/metrology"
)

// Model is a load: the power it draws at t (negative P exports).
type Model interface {
	Power(t time.Time) metrology.Power
}

// Voltage is the supply voltage every model assumes.
const Voltage = 230.0

// ErrSpec is wrapped by model specification errors.
var ErrSpec = errors.New("load: bad model")

// phase returns phase a drawing p watts at power factor pf (reactive power
// inductive: current lagging).
func phase(p, pf float64) metrology.Power {
	s := math.Abs(p) / pf
	q := math.Sqrt(max(s*s-p*p, 0))
	return metrology.Power{Frequency: 50, Phases: [3]metrology.PhasePower{{U: Voltage, I: s / Voltage, P: p, Q1: q, S: s}}}
}

// Constant draws W watts at power factor PF (1 if zero).
type Constant struct {
	W, PF float64
}

func (c Constant) Power(time.Time) metrology.Power {
	pf := c.PF
	if pf == 0 {
		pf = 1
	}
	return phase(c.W, pf)
}

// PV exports up to Peak watts: a half sine from 06:00 to 18:00 UTC
// (solar time of a meter at longitude 0), nothing at night.
type PV struct {
	Peak float64
}

func (v PV) Power(t time.Time) metrology.Power {
	h := float64(t.UTC().Hour()) + float64(t.UTC().Minute())/60 + float64(t.UTC().Second())/3600
	if h < 6 || h >= 18 {
		return phase(0, 1)
	}
	return phase(-v.Peak*math.Sin(math.Pi*(h-6)/12), 1)
}

// Sum is the sum of loads on the same phase.
type Sum []Model

func (s Sum) Power(t time.Time) metrology.Power {
	var p, q float64
	for _, m := range s {
		pw := m.Power(t)
		pp, qq, _ := pw.Total()
		p += pp
		q += qq
	}
	out := phase(p, 1)
	ph := &out.Phases[0]
	ph.Q1 = q
	ph.S = math.Hypot(p, q)
	ph.I = ph.S / Voltage
	return out
}

// Parse reads a model specification (see the package documentation);
// dataDir is where ampds-r1/ lives.
func Parse(spec, dataDir string) (Model, error) {
	if parts := strings.Split(spec, "+"); len(parts) > 1 {
		var sum Sum
		for _, p := range parts {
			m, err := Parse(p, dataDir)
			if err != nil {
				return nil, err
			}
			sum = append(sum, m)
		}
		return sum, nil
	}
	name, arg, _ := strings.Cut(strings.TrimSpace(spec), ":")
	switch name {
	case "constant":
		w, pf, _ := strings.Cut(arg, ",")
		c := Constant{PF: 1}
		var err error
		if c.W, err = strconv.ParseFloat(w, 64); err != nil || math.Abs(c.W) > 1e6 {
			return nil, fmt.Errorf("%w: %q: want constant:WATTS[,PF]", ErrSpec, spec)
		}
		if pf != "" {
			if c.PF, err = strconv.ParseFloat(pf, 64); err != nil || c.PF <= 0 || c.PF > 1 {
				return nil, fmt.Errorf("%w: %q: power factor in (0, 1]", ErrSpec, spec)
			}
		}
		return c, nil
	case "pv":
		w, err := strconv.ParseFloat(arg, 64)
		if err != nil || w < 0 || w > 1e6 {
			return nil, fmt.Errorf("%w: %q: want pv:WATTS", ErrSpec, spec)
		}
		return PV{Peak: w}, nil
	case "ev":
		return parseEV(spec, arg)
	case "ampds":
		col := arg
		if col == "" {
			col = "WHE"
		}
		return LoadAMPds(dataDir, col)
	}
	return nil, fmt.Errorf("%w: %q: want constant:W, pv:W, ev[:W,…], ampds[:COLUMN] or a sum with +", ErrSpec, spec)
}
