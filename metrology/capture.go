package metrology

import (
	"fmt"
	"math"
)

// Waveform is a copy of the most recent samples of every wired channel
// (the "waveform data output" of a meter). Samples are calibrated for gain
// and offset; channel delays are not compensated.
type Waveform struct {
	Rate      float64 // samples per second
	Frequency float64 // tracked fundamental when captured, Hz
	Present   [3]bool
	U, I      [3][]float64 // oldest sample first; nil for an absent phase
}

// captureRing keeps the last `capacity` calibrated samples of each slot.
type captureRing struct {
	ch       [channels][]float64
	capacity int
	head     int // next write index
	filled   int
}

// write appends buf[s][from:to] of every slot.
func (r *captureRing) write(buf *[channels][]float64, slots []int, from, to int) {
	n := to - from
	if n >= r.capacity {
		from = to - r.capacity
		n = r.capacity
	}
	for _, s := range slots {
		src := buf[s][from:to]
		k := copy(r.ch[s][r.head:], src)
		copy(r.ch[s], src[k:])
	}
	r.head = (r.head + n) % r.capacity
	r.filled = min(r.capacity, r.filled+n)
}

// capture copies the last cycles of the fundamental from the ring.
func (c *Core) capture(cycles int) (Waveform, error) {
	c.pub.RLock()
	defer c.pub.RUnlock()
	f := c.cfg.Nominal
	if c.hasPublished && c.published.Locked {
		f = c.published.Frequency
	}
	if cycles < 1 || cycles > c.cfg.CaptureCycles {
		return Waveform{}, fmt.Errorf("%w: capture of %d cycles: this core keeps 1…%d", ErrRange, cycles, c.cfg.CaptureCycles)
	}
	// The ring holds CaptureCycles at the lowest tracked frequency, so n fits.
	n := min(int(math.Round(float64(cycles)*c.cfg.Rate/f)), c.ring.filled)
	w := Waveform{Rate: c.cfg.Rate, Frequency: f, Present: c.cfg.Phases}
	for p, wired := range c.cfg.Phases {
		if !wired {
			continue
		}
		w.U[p] = c.ring.last(2*p, n)
		w.I[p] = c.ring.last(2*p+1, n)
	}
	return w, nil
}

// last returns a copy of the newest n samples of slot s, oldest first.
func (r *captureRing) last(s, n int) []float64 {
	out := make([]float64, n)
	start := (r.head - n + r.capacity) % r.capacity
	k := copy(out, r.ch[s][start:min(r.capacity, start+n)])
	copy(out[k:], r.ch[s][:n-k])
	return out
}
