package signal

import (
	"math"
	"math/rand/v2"
)

// block is how many samples a channel is synthesised in at a time; each
// block restarts its rotating phasors from the exact phase, so rounding
// never accumulates beyond one block.
const block = 1024

// Generator produces the samples of a Signal as interleaved frames: for each
// present phase in a, b, c order, u then i.
type Generator struct {
	sig   *Signal
	next  int64 // index of the next sample
	chans []genChannel
	buf   []float64
}

type genChannel struct {
	w     *Waveform
	skew  float64 // seconds this channel is sampled late
	noise *rand.Rand
}

// Generator returns a generator positioned at sample 0.
func (s *Signal) Generator() (*Generator, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	g := &Generator{sig: s, buf: make([]float64, block)}
	for _, p := range s.Phases {
		if p == nil {
			continue
		}
		for j, w := range []*Waveform{&p.U, &p.I} {
			ch := genChannel{w: w}
			if j == 1 {
				ch.skew = p.Skew
			}
			ch.noise = rand.New(rand.NewPCG(s.Seed, uint64(len(g.chans))))
			g.chans = append(g.chans, ch)
		}
	}
	return g, nil
}

// Samples returns the first n frames of s.
func (s *Signal) Samples(n int) ([]float64, error) {
	g, err := s.Generator()
	if err != nil {
		return nil, err
	}
	dst := make([]float64, n*s.Channels())
	g.Read(dst)
	return dst, nil
}

// Stream generates the first seconds of s (rounded to whole samples) and
// hands them to fn in chunks of at most 4096 frames; fn must not keep the
// slice, which is reused. It stops at fn's first error and returns it.
func (s *Signal) Stream(seconds float64, fn func(frames []float64) error) error {
	g, err := s.Generator()
	if err != nil {
		return err
	}
	nc := s.Channels()
	buf := make([]float64, 4096*nc)
	for left := int(math.Round(seconds * s.Rate)); left > 0; {
		n := g.Read(buf[:min(left, 4096)*nc])
		if err := fn(buf[:n*nc]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// Read fills dst with whole frames (len(dst)/channels of them, any remainder
// is left untouched) and returns how many it wrote.
func (g *Generator) Read(dst []float64) int {
	nc := len(g.chans)
	frames := len(dst) / nc
	for done := 0; done < frames; {
		n := min(block, frames-done)
		for c := range g.chans {
			g.chans[c].synthesise(g.buf[:n], g.next, g.sig)
			for k, v := range g.buf[:n] {
				dst[(done+k)*nc+c] = v
			}
		}
		done += n
		g.next += int64(n)
	}
	return frames
}

// synthesise writes samples first…first+len(out)-1 of the channel.
func (ch *genChannel) synthesise(out []float64, first int64, s *Signal) {
	w := ch.w
	t0 := float64(first)/s.Rate + ch.skew
	for k := range out {
		out[k] = w.DC
	}
	for _, c := range w.Components {
		amp := math.Sqrt2 * c.RMS
		cycles := c.Order * s.Frequency * t0
		_, frac := math.Modf(cycles)
		sin, cos := math.Sincos(2*math.Pi*frac + c.Phase)
		z := complex(cos, sin)
		ds, dc := math.Sincos(2 * math.Pi * c.Order * s.Frequency / s.Rate)
		rot := complex(dc, ds)
		for k := range out {
			out[k] += amp * imag(z)
			z *= rot
		}
	}
	if len(w.Steps) > 0 {
		for k := range out {
			out[k] *= w.scaleAt(t0 + float64(k)/s.Rate)
		}
	}
	if w.Noise > 0 {
		for k := range out {
			out[k] += w.Noise * ch.noise.NormFloat64()
		}
	}
}
