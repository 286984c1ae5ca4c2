package sim

import (
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"time"

	"github.com/amigo-ami/amigo/meter/load"
	"github.com/amigo-ami/amigo/metrology"
)

// loads draws the fast meters' load models.
type loads struct {
	shared load.Model // Config.Load for every meter, if set
	ampds  *load.AMPds
	mix    Mix
	seed   uint64
}

// newLoads reads what the models need: Config.Load, or AMPds R1 (a
// synthetic day without it: the returned error says why it is missing).
func newLoads(cfg Config) (*loads, error) {
	l := &loads{mix: cfg.Mix, seed: cfg.Seed}
	if cfg.Load != "" {
		m, err := load.Parse(cfg.Load, cfg.DataDir)
		if err != nil {
			return nil, err
		}
		l.shared = m
		return l, nil
	}
	if cfg.DataDir == "" {
		return l, errNoData
	}
	a, err := load.LoadAMPds(cfg.DataDir, "WHE")
	if errors.Is(err, fs.ErrNotExist) {
		return l, err
	}
	if err != nil {
		return nil, err
	}
	l.ampds = a
	return l, nil
}

var errNoData = errors.New("no data directory")

// of returns meter k's load: a household shifted by a whole number of
// hours and scaled by 0.6–1.4, plus PV (2–6 kW peak) and an EV (7.4 or
// 11 kW, starting 17:00–24:00 for 1–5 hours) for their shares of meters.
func (l *loads) of(k int) load.Model {
	if l.shared != nil {
		return l.shared
	}
	rng := rand.New(rand.NewPCG(l.seed, uint64(k)<<4|0xA))
	var house load.Model = synthetic{}
	hours := 24 * 7
	if l.ampds != nil {
		house, hours = l.ampds, l.ampds.Hours()
	}
	sum := load.Sum{scaled{shifted{house, time.Duration(rng.IntN(hours)) * time.Hour}, 0.6 + 0.8*rng.Float64()}}
	if rng.Float64() < l.mix.PV {
		sum = append(sum, load.PV{Peak: 2000 + 4000*rng.Float64()})
	}
	if rng.Float64() < l.mix.EV {
		w := 7400.0
		if rng.IntN(3) == 0 {
			w = 11000
		}
		sum = append(sum, load.EV{W: w, Start: 17*time.Hour + time.Duration(rng.IntN(7*60))*time.Minute,
			Duration: time.Hour + time.Duration(rng.IntN(4*60))*time.Minute})
	}
	return sum
}

// shifted is a model run an offset later in its own time.
type shifted struct {
	m  load.Model
	by time.Duration
}

func (s shifted) Power(t time.Time) metrology.Power { return s.m.Power(t.Add(s.by)) }

// scaled is a model drawing k times its power.
type scaled struct {
	m load.Model
	k float64
}

func (s scaled) Power(t time.Time) metrology.Power {
	p := s.m.Power(t)
	for i := range p.Phases {
		ph := &p.Phases[i]
		ph.I, ph.P, ph.Q1, ph.S = ph.I*s.k, ph.P*s.k, ph.Q1*s.k, ph.S*s.k
	}
	return p
}

// synthetic is a household's day without data: 250 W of base load, a
// morning peak around 07:30 and an evening one around 19:00 (UTC), at
// power factor 0.95: about 11.6 kWh a day.
type synthetic struct{}

func (synthetic) Power(t time.Time) metrology.Power {
	h := float64(t.UTC().Hour()) + float64(t.UTC().Minute())/60 + float64(t.UTC().Second())/3600
	bump := func(at, width, w float64) float64 { return w * math.Exp(-(h-at)*(h-at)/(2*width*width)) }
	p := 250 + bump(7.5, 1, 600) + bump(19, 1.5, 1100)
	s := p / 0.95
	return metrology.Power{Frequency: 50, Phases: [3]metrology.PhasePower{{U: load.Voltage, I: s / load.Voltage, P: p, Q1: math.Sqrt(s*s - p*p), S: s}}}
}
