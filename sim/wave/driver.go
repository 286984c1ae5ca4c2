package wave

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/amigo-ami/amigo/metrology"
)

// Use is how a household uses one appliance: its mean on and off times.
// OffMean 0 keeps the appliance on all the time.
type Use struct {
	Appliance       Appliance
	OnMean, OffMean time.Duration
}

// Switch is one appliance switching, the ground truth of NILM.
type Switch struct {
	At        time.Time
	Appliance int // index in Config.Uses
	On        bool
}

// Config configures a Driver.
type Config struct {
	Rate  float64   // samples per second, a multiple of 50 (8000 when 0)
	Start time.Time // true time of the first sample
	Uses  []Use
	// Seed and Meter pick the switching streams (see the package doc).
	Seed  uint64
	Meter int
	// OnSwitch, when set, is called for every switch, in time order, from
	// Advance and Skip — and from New for each appliance that starts on
	// (a switch-on at Start), so the switches tell the whole story.
	OnSwitch func(Switch)
}

// appliance is one use's state: its random stream, whether it is on and
// the sample at which it switches next (-1: never).
type appliance struct {
	rng  rand.PCG
	on   bool
	next int64
}

// Driver runs a metrology core on a household's waveform.
type Driver struct {
	cfg   Config
	core  *metrology.Core
	m     int       // samples per cycle
	u     []float64 // one cycle of voltage
	sum   []float64 // one cycle of the current of the appliances on
	apps  []appliance
	fed   int64 // samples fed so far
	dirty bool  // sum needs recomputing
	buf   []float64
}

// chunk is the most frames fed to the core at once.
const chunk = 4096

// New returns a driver whose appliances start as their streams draw (on
// with the probability of their on-time fraction).
func New(cfg Config) (*Driver, error) {
	if cfg.Rate == 0 {
		cfg.Rate = 8000
	}
	m, err := cycleLen(cfg.Rate)
	if err != nil {
		return nil, err
	}
	for i, u := range cfg.Uses {
		if len(u.Appliance.Current) != m {
			return nil, fmt.Errorf("wave: appliance %d (%s): %d samples a cycle, want %d at %v Hz", i, u.Appliance.Name, len(u.Appliance.Current), m, cfg.Rate)
		}
		if u.OffMean < 0 || u.OnMean < 0 || (u.OffMean > 0 && (u.OnMean < time.Second || u.OffMean < time.Second)) {
			return nil, fmt.Errorf("wave: appliance %d (%s): mean on and off times of at least 1 s", i, u.Appliance.Name)
		}
	}
	core, err := metrology.New(metrology.Config{Rate: cfg.Rate, Phases: [3]bool{true}, Energy: metrology.EnergyConfig{Start: cfg.Start, FreezePeriods: []time.Duration{}}})
	if err != nil {
		return nil, err
	}
	d := &Driver{cfg: cfg, core: core, m: m, u: make([]float64, m), sum: make([]float64, m), apps: make([]appliance, len(cfg.Uses)), dirty: true,
		buf: make([]float64, 0, 2*chunk)}
	for k := range d.u {
		d.u[k] = Voltage * math.Sqrt2 * math.Sin(2*math.Pi*float64(k)/float64(m))
	}
	for i, u := range cfg.Uses {
		a := &d.apps[i]
		a.rng.Seed(cfg.Seed, uint64(cfg.Meter)<<8|uint64(i))
		if u.OffMean == 0 {
			a.on, a.next = true, -1
			continue
		}
		a.on = float64(a.rng.Uint64()>>11)/(1<<53) < float64(u.OnMean)/float64(u.OnMean+u.OffMean)
		a.next = d.draw(i)
	}
	for i, a := range d.apps {
		if a.on && cfg.OnSwitch != nil {
			cfg.OnSwitch(Switch{At: cfg.Start, Appliance: i, On: true})
		}
	}
	return d, nil
}

// draw returns the sample of appliance i's next switch after the current
// one.
func (d *Driver) draw(i int) int64 {
	a, u := &d.apps[i], d.cfg.Uses[i]
	mean := u.OffMean
	if a.on {
		mean = u.OnMean
	}
	x := -math.Log1p(-float64(a.rng.Uint64()>>11)/(1<<53)) * mean.Seconds() * d.cfg.Rate
	return d.fed + max(int64(x), 1)
}

func (d *Driver) View() *metrology.View { return d.core.View() }

// sampleAt is the sample index of true time t.
func (d *Driver) sampleAt(t time.Time) int64 {
	ns := t.Sub(d.cfg.Start).Nanoseconds()
	r := int64(d.cfg.Rate)
	return ns/1e9*r + ns%1e9*r/1e9
}

// timeOf is the true time of sample s.
func (d *Driver) timeOf(s int64) time.Time {
	r := int64(d.cfg.Rate)
	return d.cfg.Start.Add(time.Duration(s/r)*time.Second + time.Duration(s%r*1e9/r))
}

// switchDue flips the appliances whose switch falls at sample fed.
func (d *Driver) switchDue() {
	for i := range d.apps {
		a := &d.apps[i]
		if a.next != d.fed {
			continue
		}
		a.on = !a.on
		a.next = d.draw(i)
		d.dirty = true
		if d.cfg.OnSwitch != nil {
			d.cfg.OnSwitch(Switch{At: d.timeOf(d.fed), Appliance: i, On: a.on})
		}
	}
}

// nextSwitch is the earliest sample an appliance switches at (or limit).
func (d *Driver) nextSwitch(limit int64) int64 {
	for _, a := range d.apps {
		if a.next >= 0 && a.next < limit {
			limit = a.next
		}
	}
	return limit
}

func (d *Driver) resum() {
	clear(d.sum)
	for i, a := range d.apps {
		if a.on {
			for k, x := range d.cfg.Uses[i].Appliance.Current {
				d.sum[k] += x
			}
		}
	}
	d.dirty = false
}

// Advance feeds the core up to true time to; with connected false the
// current is zero (the disconnector is open).
func (d *Driver) Advance(to time.Time, connected bool) error {
	target := d.sampleAt(to)
	for d.fed < target {
		d.switchDue()
		if d.dirty {
			d.resum()
		}
		end := d.nextSwitch(min(target, d.fed+chunk))
		d.buf = d.buf[:0]
		k := int(d.fed % int64(d.m))
		for s := d.fed; s < end; s++ {
			i := 0.0
			if connected {
				i = d.sum[k]
			}
			d.buf = append(d.buf, d.u[k], i)
			if k++; k == d.m {
				k = 0
			}
		}
		if err := d.core.Process(d.buf); err != nil {
			return fmt.Errorf("wave: %w", err)
		}
		d.fed = end
	}
	d.switchDue()
	return nil
}

// Skip moves to true time to without feeding anything (the meter was off);
// the appliances switch meanwhile all the same.
func (d *Driver) Skip(to time.Time) {
	target := d.sampleAt(to)
	for d.fed < target {
		d.switchDue()
		d.fed = d.nextSwitch(target)
	}
	d.switchDue()
}

// ErrNoAppliances is returned by Household for an empty appliance list.
var ErrNoAppliances = errors.New("wave: no appliances")

// Household picks from apps the uses of meter's household: between 3 and
// 6 appliances, each with a mean on time from 2 to 60 minutes and a mean
// off time from 20 minutes to 4 hours, drawn from seed.
func Household(apps []Appliance, seed uint64, meter int) ([]Use, error) {
	if len(apps) == 0 {
		return nil, ErrNoAppliances
	}
	rng := rand.New(rand.NewPCG(seed, uint64(meter)<<8|0xFF))
	n := min(len(apps), 3+rng.IntN(4))
	uses := make([]Use, 0, n)
	for _, i := range rng.Perm(len(apps))[:n] {
		uses = append(uses, Use{Appliance: apps[i],
			OnMean:  2*time.Minute + time.Duration(rng.Int64N(int64(58*time.Minute))),
			OffMean: 20*time.Minute + time.Duration(rng.Int64N(int64(220*time.Minute)))})
	}
	return uses, nil
}

// Energy is the active energy (Wh) the appliances of uses drew until end,
// by their switches as OnSwitch reported them (in order, from New on): the
// analytic truth a meter registers and a NILM module is scored against.
func Energy(uses []Use, switches []Switch, end time.Time) float64 {
	var wh float64
	since := make([]time.Time, len(uses))
	on := func(i int, until time.Time) {
		if !since[i].IsZero() {
			wh += uses[i].Appliance.P * until.Sub(since[i]).Hours()
		}
	}
	for _, s := range switches {
		if s.At.After(end) {
			break
		}
		on(s.Appliance, s.At)
		since[s.Appliance] = time.Time{}
		if s.On {
			since[s.Appliance] = s.At
		}
	}
	for i := range since {
		on(i, end)
	}
	return wh
}
