package wave

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/amigo-ami/amigo/meter/feed"
	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/nilm/appliance"
)

// The simulated supply: 230 V at 50 Hz.
const (
	Voltage = 230.0
	Mains   = 50.0
)

// Use is how a household uses one appliance: its mean on and off times.
// OffMean 0 keeps the appliance on all the time.
type Use struct {
	Appliance       appliance.Appliance
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

// use is one appliance's switching: its random stream, whether it is on
// and the sample at which it switches next (-1: never).
type use struct {
	rng  rand.PCG
	on   bool
	next int64
}

// Driver runs a metrology core on a household's waveform.
type Driver struct {
	cfg    Config
	core   *metrology.Core
	stream *appliance.Stream
	uses   []use
	buf    []float64
	tap    feed.Tap
	tapBuf []float64
}

// chunk is the most frames fed to the core at once.
const chunk = 4096

// New returns a driver whose appliances start as their streams draw (on
// with the probability of their on-time fraction).
func New(cfg Config) (*Driver, error) {
	if cfg.Rate == 0 {
		cfg.Rate = 8000
	}
	if cfg.Rate < metrology.MinRate(Mains) || cfg.Rate > metrology.MaxRate {
		return nil, fmt.Errorf("wave: rate %v Hz: want %v to %v Hz", cfg.Rate, metrology.MinRate(Mains), metrology.MaxRate)
	}
	h := appliance.Household{RateHz: cfg.Rate, MainsHz: Mains, Volts: Voltage, Appliances: make([]appliance.Appliance, len(cfg.Uses))}
	for i, u := range cfg.Uses {
		if u.OffMean < 0 || u.OnMean < 0 || (u.OffMean > 0 && (u.OnMean < time.Second || u.OffMean < time.Second)) {
			return nil, fmt.Errorf("wave: appliance %d (%s): mean on and off times of at least 1 s", i, u.Appliance.Label)
		}
		h.Appliances[i] = u.Appliance
	}
	stream, err := h.Stream()
	if err != nil {
		return nil, fmt.Errorf("wave: %w", err)
	}
	core, err := metrology.New(metrology.Config{Rate: cfg.Rate, Phases: [3]bool{true}, Energy: metrology.EnergyConfig{Start: cfg.Start, FreezePeriods: []time.Duration{}}})
	if err != nil {
		return nil, err
	}
	d := &Driver{cfg: cfg, core: core, stream: stream, uses: make([]use, len(cfg.Uses)), buf: make([]float64, 0, 2*chunk)}
	for i, u := range cfg.Uses {
		a := &d.uses[i]
		a.rng.Seed(cfg.Seed, uint64(cfg.Meter)<<8|uint64(i))
		if u.OffMean == 0 {
			a.on, a.next = true, -1
		} else {
			a.on = float64(a.rng.Uint64()>>11)/(1<<53) < float64(u.OnMean)/float64(u.OnMean+u.OffMean)
			a.next = d.draw(i)
		}
		stream.Set(i, a.on)
	}
	for i, a := range d.uses {
		if a.on && cfg.OnSwitch != nil {
			cfg.OnSwitch(Switch{At: cfg.Start, Appliance: i, On: true})
		}
	}
	return d, nil
}

// SetTap makes t see every frame fed to the core from now on (nil: none),
// as meter/feed.Waveform does: an expansion module listening on the
// sample path. Call it from the goroutine that advances the driver.
func (d *Driver) SetTap(t feed.Tap) { d.tap = t }

// draw returns the sample of use i's next switch after the current one.
func (d *Driver) draw(i int) int64 {
	a, u := &d.uses[i], d.cfg.Uses[i]
	mean := u.OffMean
	if a.on {
		mean = u.OnMean
	}
	x := -math.Log1p(-float64(a.rng.Uint64()>>11)/(1<<53)) * mean.Seconds() * d.cfg.Rate
	return d.stream.Sample() + max(int64(x), 1)
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

// switchDue flips the appliances whose switch falls at the stream's next
// sample.
func (d *Driver) switchDue() {
	now := d.stream.Sample()
	for i := range d.uses {
		a := &d.uses[i]
		if a.next != now {
			continue
		}
		a.on = !a.on
		a.next = d.draw(i)
		d.stream.Set(i, a.on)
		if d.cfg.OnSwitch != nil {
			d.cfg.OnSwitch(Switch{At: d.timeOf(now), Appliance: i, On: a.on})
		}
	}
}

// nextSwitch is the earliest sample an appliance switches at (or limit).
func (d *Driver) nextSwitch(limit int64) int64 {
	for _, a := range d.uses {
		if a.next >= 0 && a.next < limit {
			limit = a.next
		}
	}
	return limit
}

// Advance feeds the core (and the tap) up to true time to; with connected
// false the current is zero (the disconnector is open).
func (d *Driver) Advance(to time.Time, connected bool) error {
	target := d.sampleAt(to)
	for first := d.stream.Sample(); first < target; first = d.stream.Sample() {
		d.switchDue()
		end := d.nextSwitch(min(target, first+chunk))
		d.buf = d.stream.Append(d.buf[:0], int(end-first))
		if !connected {
			for j := 1; j < len(d.buf); j += 2 {
				d.buf[j] = 0
			}
		}
		if err := d.core.Process(d.buf); err != nil {
			return fmt.Errorf("wave: %w", err)
		}
		if d.tap != nil {
			d.tapBuf = append(d.tapBuf[:0], d.buf...)
			d.tap.Samples(first, d.tapBuf)
		}
	}
	d.switchDue()
	return nil
}

// Skip moves to true time to without feeding anything (the meter was off);
// the appliances switch meanwhile all the same.
func (d *Driver) Skip(to time.Time) {
	target := d.sampleAt(to)
	for now := d.stream.Sample(); now < target; now = d.stream.Sample() {
		d.switchDue()
		d.stream.Skip(d.nextSwitch(target) - now)
	}
	d.switchDue()
}

// ErrNoAppliances is returned by Household for an empty appliance list.
var ErrNoAppliances = errors.New("wave: no appliances")

// Habits bound how households use their appliances: each appliance's mean
// on time is drawn uniformly from On, its mean off time from Off. The zero
// Habits are DefaultHabits.
type Habits struct {
	On, Off [2]time.Duration
}

// DefaultHabits are a home's: on for 2 to 60 minutes at a time, off for
// 20 minutes to 4 hours.
func DefaultHabits() Habits {
	return Habits{On: [2]time.Duration{2 * time.Minute, time.Hour}, Off: [2]time.Duration{20 * time.Minute, 4 * time.Hour}}
}

// Household picks from apps the uses of meter's household: between 3 and
// 6 appliances of distinct labels (a home has one of a kind: a NILM
// module follows an appliance by its label), each with mean on and off
// times within habits, drawn from seed.
func Household(apps []appliance.Appliance, habits Habits, seed uint64, meter int) ([]Use, error) {
	if len(apps) == 0 {
		return nil, ErrNoAppliances
	}
	if habits == (Habits{}) {
		habits = DefaultHabits()
	}
	for _, r := range [][2]time.Duration{habits.On, habits.Off} {
		if r[0] < time.Second || r[1] < r[0] {
			return nil, fmt.Errorf("wave: habits %v: mean times from at least 1 s, low before high", habits)
		}
	}
	rng := rand.New(rand.NewPCG(seed, uint64(meter)<<8|0xFF))
	between := func(r [2]time.Duration) time.Duration { return r[0] + time.Duration(rng.Int64N(int64(r[1]-r[0])+1)) }
	n := 3 + rng.IntN(4)
	var uses []Use
	taken := map[string]bool{}
	for _, i := range rng.Perm(len(apps)) {
		if len(uses) == n {
			break
		}
		if !taken[apps[i].Label] {
			taken[apps[i].Label] = true
			uses = append(uses, Use{Appliance: apps[i], OnMean: between(habits.On), OffMean: between(habits.Off)})
		}
	}
	return uses, nil
}

// Energy is the active and fundamental reactive energy (Wh, varh) the
// appliances of uses drew from the simulated supply until end, by their
// switches as OnSwitch reported them (in order, from New on): the analytic
// truth a meter registers and a NILM module is scored against.
func Energy(uses []Use, switches []Switch, end time.Time) (wh, varh float64) {
	since := make([]time.Time, len(uses))
	on := func(i int, until time.Time) {
		if !since[i].IsZero() {
			h := until.Sub(since[i]).Hours()
			wh += uses[i].Appliance.PowerAt(Voltage) * h
			varh += uses[i].Appliance.ReactiveAt(Voltage) * h
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
	return wh, varh
}
