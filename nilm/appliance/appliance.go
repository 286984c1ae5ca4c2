package appliance

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/amigo-ami/amigo/metrology/samplecsv"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// ErrHousehold is wrapped by errors about a household that cannot be
// synthesised.
var ErrHousehold = errors.New("appliance: invalid household")

// Appliance is one appliance's steady current over one mains cycle.
type Appliance struct {
	Label string
	// Current is one cycle in amperes, sample k at phase 2πk/len(Current)
	// after the voltage's rising zero crossing.
	Current []float64
}

// PowerAt is the active power the appliance draws from a sine of volts
// RMS: the mean of u·i over its cycle.
func (a *Appliance) PowerAt(volts float64) float64 {
	p, _ := a.fundamental(volts)
	return p
}

// ReactiveAt is the fundamental reactive power Q1 (IEEE 1459) the
// appliance draws from a sine of volts RMS: positive when its fundamental
// current lags the voltage.
func (a *Appliance) ReactiveAt(volts float64) float64 {
	_, q := a.fundamental(volts)
	return q
}

// fundamental returns P and Q1 against u = U√2·sin θ. Only the current's
// fundamental meets the voltage: P = U·I1·cos φ is U√2 times the mean of
// i·sin θ, and a lagging current (∝ sin(θ − φ)) has a −cos θ component.
func (a *Appliance) fundamental(volts float64) (p, q1 float64) {
	m := float64(len(a.Current))
	for k, i := range a.Current {
		s, c := math.Sincos(2 * math.Pi * float64(k) / m)
		p += i * s
		q1 -= i * c
	}
	return volts * math.Sqrt2 * p / m, volts * math.Sqrt2 * q1 / m
}

// CycleSamples is the samples in one mains cycle at rateHz: rateHz must be
// a whole multiple of mainsHz, so cycles join without a seam.
func CycleSamples(rateHz, mainsHz float64) (int, error) {
	m := rateHz / mainsHz
	if !(mainsHz > 0) || m != math.Trunc(m) || m < 8 || m > 1<<16 {
		return 0, fmt.Errorf("%w: %v Hz is not a whole number (8 … 65536) of %v Hz cycles", ErrHousehold, rateHz, mainsHz)
	}
	return int(m), nil
}

// FromPLAID makes an appliance of a PLAID event: its current re-timed to
// one cycle of mainsHz at rateHz.
func FromPLAID(e *plaid.Event, rateHz, mainsHz float64) (Appliance, error) {
	m, err := CycleSamples(rateHz, mainsHz)
	if err != nil {
		return Appliance{}, err
	}
	cur, err := e.Retime(m)
	if err != nil {
		return Appliance{}, fmt.Errorf("appliance %s: %w", e.Label, err)
	}
	return Appliance{Label: e.Label, Current: cur}, nil
}

// FromDataset makes appliances of the first perLabel switch-on events of
// each appliance of a PLAID cut (the appliance's own current right after
// it started), in the cut's order, re-timed as FromPLAID does.
func FromDataset(ds *plaid.Dataset, perLabel int, rateHz, mainsHz float64) ([]Appliance, error) {
	var out []Appliance
	taken := map[string]int{}
	for k := range ds.Events {
		e := &ds.Events[k]
		if !e.On || taken[e.Label] >= perLabel {
			continue
		}
		a, err := FromPLAID(e, rateHz, mainsHz)
		if err != nil {
			return nil, err
		}
		taken[e.Label]++
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the PLAID cut has no switch-on event", ErrHousehold)
	}
	return out, nil
}

// Switch is one appliance switching on or off at a sample.
type Switch struct {
	Sample    int64 // first sample with the new state
	Appliance int   // index in Household.Appliances
	On        bool
}

// Household is a single-phase installation.
type Household struct {
	RateHz, MainsHz float64 // RateHz a whole multiple of MainsHz
	Volts           float64 // RMS supply voltage
	Appliances      []Appliance
	NoiseV, NoiseA  float64 // σ of the Gaussian noise per sample, V and A
	Seed            uint64
}

// Frames returns n frames of the household from sample 0 as interleaved
// u, i (a single-phase sample file's layout), every appliance off until
// switches, sorted by sample, turn it on.
func (h *Household) Frames(n int64, switches []Switch) ([]float64, error) {
	s, err := h.Stream()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > 1<<28 {
		return nil, fmt.Errorf("%w: %d frames", ErrHousehold, n)
	}
	for k, sw := range switches {
		if sw.Appliance < 0 || sw.Appliance >= len(h.Appliances) || k > 0 && sw.Sample < switches[k-1].Sample {
			return nil, fmt.Errorf("%w: switch %d (appliance %d at sample %d) out of range or order", ErrHousehold, k, sw.Appliance, sw.Sample)
		}
	}
	out := make([]float64, 0, 2*n)
	for _, sw := range switches {
		if at := min(sw.Sample, n); at > s.Sample() {
			out = s.Append(out, int(at-s.Sample()))
		}
		s.Set(sw.Appliance, sw.On)
	}
	return s.Append(out, int(n-s.Sample())), nil
}

// Stream plays a household frame by frame as its appliances switch: what
// a simulated meter's waveform driver feeds its metrology core. It
// belongs to one goroutine.
type Stream struct {
	h     Household
	m     int       // samples per cycle
	u     []float64 // one cycle of voltage
	sum   []float64 // one cycle of the current of the appliances on
	on    []bool
	dirty bool // sum needs recomputing
	rng   *rand.Rand
	next  int64 // the sample Append produces next
}

// Stream returns a stream of the household from sample 0 (the voltage's
// rising zero crossing) with every appliance off.
func (h *Household) Stream() (*Stream, error) {
	m, err := CycleSamples(h.RateHz, h.MainsHz)
	if err != nil {
		return nil, err
	}
	for i, a := range h.Appliances {
		if len(a.Current) != m {
			return nil, fmt.Errorf("%w: appliance %d (%s) has %d samples a cycle, want %d", ErrHousehold, i, a.Label, len(a.Current), m)
		}
	}
	s := &Stream{h: *h, m: m, u: make([]float64, m), sum: make([]float64, m), on: make([]bool, len(h.Appliances)),
		rng: rand.New(rand.NewPCG(h.Seed, 0x686f6d65))}
	for k := range s.u {
		s.u[k] = h.Volts * math.Sqrt2 * math.Sin(2*math.Pi*float64(k)/float64(m))
	}
	return s, nil
}

// Sample is the index of the frame Append produces next.
func (s *Stream) Sample() int64 { return s.next }

// Set switches appliance a (an index in Household.Appliances) on or off
// from the next frame on.
func (s *Stream) Set(a int, on bool) {
	if s.on[a] != on {
		s.on[a], s.dirty = on, true
	}
}

// Append appends the next n frames (u, i) to dst.
func (s *Stream) Append(dst []float64, n int) []float64 {
	if s.dirty {
		clear(s.sum)
		for a, on := range s.on {
			if on {
				for k, x := range s.h.Appliances[a].Current {
					s.sum[k] += x
				}
			}
		}
		s.dirty = false
	}
	noisy := s.h.NoiseV != 0 || s.h.NoiseA != 0
	k := int(s.next % int64(s.m))
	for range n {
		u, i := s.u[k], s.sum[k]
		if noisy {
			u += s.h.NoiseV * s.rng.NormFloat64()
			i += s.h.NoiseA * s.rng.NormFloat64()
		}
		dst = append(dst, u, i)
		if k++; k == s.m {
			k = 0
		}
	}
	s.next += int64(n)
	return dst
}

// Skip moves n frames on without producing them (the meter was off).
func (s *Stream) Skip(n int64) { s.next += n }

// Schedule draws a switching sequence for apps appliances: each switches
// on once and off once, in a random order of 2·apps slots gap samples
// apart (plus up to jitter samples), after lead samples of quiet. An
// appliance whose on and off slots are far apart runs while others
// switch. It returns the switches in order and the sample after the last
// slot's gap.
func Schedule(apps int, lead, gap, jitter int64, seed uint64) ([]Switch, int64) {
	rng := rand.New(rand.NewPCG(seed, 0x73636865))
	slots := rng.Perm(2 * apps)
	var out []Switch
	for a := range apps {
		x, y := slots[2*a], slots[2*a+1]
		if x > y {
			x, y = y, x
		}
		at := func(slot int) int64 { return lead + int64(slot)*gap + rng.Int64N(max(jitter, 0)+1) }
		out = append(out, Switch{Sample: at(x), Appliance: a, On: true}, Switch{Sample: at(y), Appliance: a, On: false})
	}
	slices.SortFunc(out, func(a, b Switch) int { return cmp.Compare(a.Sample, b.Sample) })
	return out, lead + int64(2*apps)*gap
}

// Sequence plays households one after another on one stream: the apps
// appliances, shuffled, are dealt into households of perHome; each
// household switches every appliance on once and off once (Schedule) and
// ends with all of them off, so the next starts from an empty circuit.
// It returns the switches, appliance indexes in 0…apps−1, and the
// stream's length in samples.
func Sequence(apps, perHome int, lead, gap, jitter int64, seed uint64) ([]Switch, int64) {
	rng := rand.New(rand.NewPCG(seed, 0x73657175))
	order := rng.Perm(apps)
	var out []Switch
	var end int64
	for k := 0; k < apps; k += max(perHome, 1) {
		home := order[k:min(k+max(perHome, 1), apps)]
		sw, n := Schedule(len(home), lead, gap, jitter, rng.Uint64())
		for _, s := range sw {
			s.Sample += end
			s.Appliance = home[s.Appliance]
			out = append(out, s)
		}
		end += n
	}
	return out, end
}

// WriteCSV writes single-phase frames (u, i) as a sample file
// (ARCHITECTURE §5: header "ua,ia", one frame a line).
func WriteCSV(path string, frames []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := samplecsv.NewWriter(f, [3]bool{true})
	if err == nil {
		err = w.Write(frames)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("appliance: %s: %w", path, err)
	}
	return nil
}
