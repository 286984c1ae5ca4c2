package feed

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/amigo-ami/amigo/meter/load"
	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/samplecsv"
)

// Driver feeds a metrology core.
type Driver interface {
	// View is the core's read-only face, what the meter reads.
	View() *metrology.View
	// Advance feeds the core up to true time to (non-decreasing); with
	// connected false the load draws no current.
	Advance(to time.Time, connected bool) error
	// Skip moves to true time to without feeding (the meter was off).
	Skip(to time.Time)
}

// Fast integrates a load model's power in steps of at most a second (or
// Step).
type Fast struct {
	// Step is the longest integration step, the model read at its start
	// (a second when 0). A fleet simulator that needs no sub-minute detail
	// lengthens it to spend less per simulated second.
	Step  time.Duration
	acc   *metrology.Accumulator
	model load.Model
	now   time.Time
}

// NewFast returns a fast-mode driver starting at start.
func NewFast(model load.Model, start time.Time) (*Fast, error) {
	acc, err := metrology.NewAccumulator(metrology.EnergyConfig{Start: start, FreezePeriods: []time.Duration{}})
	if err != nil {
		return nil, err
	}
	// A zero-length step sets the instantaneous values from the start.
	if err := acc.Integrate(model.Power(start), 0); err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	return &Fast{acc: acc, model: model, now: start}, nil
}

func (f *Fast) View() *metrology.View { return f.acc.View() }

func (f *Fast) Advance(to time.Time, connected bool) error {
	longest := f.Step
	if longest <= 0 {
		longest = time.Second
	}
	for f.now.Before(to) {
		step := min(to.Sub(f.now), longest)
		p := f.model.Power(f.now)
		if !connected {
			for i := range p.Phases {
				p.Phases[i] = metrology.PhasePower{U: p.Phases[i].U}
			}
		}
		if err := f.acc.Integrate(p, step); err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		f.now = f.now.Add(step)
	}
	return nil
}

// Tap sees the waveform the metrology core measures: an expansion module
// (meter/module/...) listening on the sample path. It is called after the
// core has taken the samples, with a copy: nothing a tap does can reach
// the core, and a tap holds nothing of the metrology core's but these
// numbers.
type Tap interface {
	// Samples receives frames first, first+1, … counted from the
	// driver's start (a jump in the count is time the meter was off):
	// interleaved u, i of each wired phase, currents zero while the
	// supply is disconnected. frames is valid only during the call.
	Samples(first int64, frames []float64)
}

// MaxSamples bounds the frames a waveform file may hold in memory.
const MaxSamples = 1 << 26

// Waveform runs the real metrology core on sample frames, looping them.
type Waveform struct {
	core   *metrology.Core
	frames []float64 // interleaved u, i of each wired phase
	width  int       // values per frame
	rate   float64
	start  time.Time
	fed    int64 // frames fed so far
	buf    []float64
	tap    Tap
	tapBuf []float64 // the tap's copy of buf
}

// ReadSamples reads a sample CSV file (ARCHITECTURE §5) whole.
func ReadSamples(path string) (frames []float64, phases [3]bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, phases, fmt.Errorf("feed: %w", err)
	}
	defer f.Close()
	r, err := samplecsv.NewReader(f, path)
	if err != nil {
		return nil, phases, err
	}
	buf := make([]float64, r.Channels()*4096)
	for {
		n, err := r.Read(buf)
		frames = append(frames, buf[:n*r.Channels()]...)
		if len(frames) > MaxSamples {
			return nil, phases, fmt.Errorf("feed: %s: more than %d samples", path, MaxSamples)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, phases, err
		}
		if n == 0 {
			break
		}
	}
	if len(frames) == 0 {
		return nil, phases, fmt.Errorf("feed: %s: no samples", path)
	}
	return frames, r.Phases(), nil
}

// NewWaveform returns a driver running a metrology core at rate on frames
// of the wired phases, from start.
func NewWaveform(frames []float64, phases [3]bool, rate float64, start time.Time) (*Waveform, error) {
	core, err := metrology.New(metrology.Config{Rate: rate, Phases: phases, Energy: metrology.EnergyConfig{Start: start, FreezePeriods: []time.Duration{}}})
	if err != nil {
		return nil, err
	}
	w := 0
	for _, p := range phases {
		if p {
			w += 2
		}
	}
	if w == 0 || len(frames) < w || len(frames)%w != 0 {
		return nil, fmt.Errorf("feed: %d samples for %d channels", len(frames), w)
	}
	return &Waveform{core: core, frames: frames, width: w, rate: rate, start: start}, nil
}

func (w *Waveform) View() *metrology.View { return w.core.View() }

// SetTap makes t see every sample fed from now on (nil: none). Call it
// from the goroutine that advances the driver.
func (w *Waveform) SetTap(t Tap) { w.tap = t }

func (w *Waveform) Advance(to time.Time, connected bool) error {
	target := int64(to.Sub(w.start).Seconds() * w.rate)
	n := len(w.frames) / w.width
	for w.fed < target {
		k := int(min(target-w.fed, 4096))
		w.buf = w.buf[:0]
		for j := range k {
			i := int((w.fed + int64(j)) % int64(n))
			w.buf = append(w.buf, w.frames[i*w.width:(i+1)*w.width]...)
		}
		if !connected {
			for j := 1; j < len(w.buf); j += 2 { // currents are the odd channels
				w.buf[j] = 0
			}
		}
		if err := w.core.Process(w.buf); err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		if w.tap != nil {
			w.tapBuf = append(w.tapBuf[:0], w.buf...)
			w.tap.Samples(w.fed, w.tapBuf)
		}
		w.fed += int64(k)
	}
	return nil
}

// Skip moves the feed to true time to without feeding anything: the meter
// was off meanwhile (a restart whose persisted time lies ahead of the
// driver's start).
func (f *Fast) Skip(to time.Time) {
	if to.After(f.now) {
		f.now = to
	}
}

// Skip moves the feed to true time to without feeding anything.
func (w *Waveform) Skip(to time.Time) {
	if target := int64(to.Sub(w.start).Seconds() * w.rate); target > w.fed {
		w.fed = target
	}
}
