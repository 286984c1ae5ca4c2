package metrology

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrFinished is returned by Process after Finish.
var ErrFinished = errors.New("metrology: core finished")

// ErrFrame is returned (wrapped) by Process for input that is not whole
// frames of finite samples within ±MaxSample.
var ErrFrame = errors.New("metrology: bad sample frame")

// MaxSample bounds the magnitude of a raw sample (volts or amperes): far
// beyond any meter input, and small enough that no square or product in the
// analysis can overflow.
const MaxSample = 1e9

// Core is the metrology core of one meter: it turns sample frames into
// windows of IEEE 1459 quantities, integrates them into the energy registers
// and keeps the last cycles for waveform capture.
//
// Process, Finish and Calibrate belong to the one goroutine that owns the
// samples; View may be handed to anyone and used concurrently.
type Core struct {
	cfg       Config
	ncol      int   // channels per frame
	slots     []int // channel slot (0…5 = ua, ia, ub, ib, uc, ic) of each frame column
	cycles    int   // N: fundamental cycles per window
	gridN     int   // M: synchronous samples per window
	harmonics int   // H: highest harmonic analysed
	kern      *kernel
	fft       *fft
	fineCos   []float64 // e^{−j2πNm/M} for m < M/2, for the frequency estimator
	fineSin   []float64

	gain, offset [channels]float64
	delay        [channels]float64 // samples

	// Calibrated samples of each wired slot, valid in [0, n). Positions
	// below are in samples relative to buf[·][0].
	buf        [channels][]float64
	n          int
	pad        int     // samples a window needs beyond its ends (kernel, delays)
	spanMax    float64 // the longest window, at the lowest tracked frequency
	start      float64 // where the next window begins
	integrated float64 // up to where time has been integrated
	nsResidue  float64 // rounding carried between window durations in ns

	freq    float64 // tracked fundamental
	locked  bool
	ref     int // phase serving as frequency reference
	scratch []float64

	grid  [channels][]float64
	spec  []complex128
	uPow  []float64 // |U_k|² RMS² per bin of the phase being analysed
	iPow  []float64
	meas  Measurement
	seq   uint64
	power Power // of the last window, held over the tail by Finish

	acc      *Accumulator
	view     *View
	finished bool

	pub          sync.RWMutex // guards the fields below
	published    Measurement
	hasPublished bool
	ident        Identity
	calibrations uint64
	ring         captureRing
}

// New returns a core with zero registers, ready for samples.
func New(cfg Config) (*Core, error) {
	c := &Core{cfg: cfg.withDefaults()}
	if err := c.cfg.validate(); err != nil {
		return nil, err
	}
	cal := *c.cfg.Calibration
	c.cfg.Calibration = &cal // the core's own copy
	acc, err := NewAccumulator(c.cfg.Energy)
	if err != nil {
		return nil, err
	}
	c.acc = acc
	c.cfg.Energy = acc.cfg
	c.view = &View{acc: acc, core: c}

	rate, nominal := c.cfg.Rate, c.cfg.Nominal
	c.cycles = cyclesPerWindow(nominal)
	c.gridN = gridSize(c.cycles)
	c.harmonics = harmonicOrders(rate, nominal)
	c.kern = newKernel()
	c.fft = newFFT(c.gridN)
	c.fineCos = make([]float64, c.gridN/2)
	c.fineSin = make([]float64, c.gridN/2)
	for m := range c.fineCos {
		s, co := math.Sincos(-2 * math.Pi * float64(c.cycles*m) / float64(c.gridN))
		c.fineCos[m], c.fineSin[m] = co, s
	}

	c.pad = kernelHalf + int(math.Ceil(maxDelay*rate)) + 2
	c.spanMax = float64(c.cycles) * rate / (trackLow * nominal)
	capacity := 4*int(math.Ceil(c.spanMax)) + 4*c.pad
	ringCap := int(math.Ceil(float64(c.cfg.CaptureCycles)*rate/(trackLow*nominal))) + 1
	for p, wired := range c.cfg.Phases {
		if !wired {
			continue
		}
		for _, s := range []int{2 * p, 2*p + 1} {
			c.slots = append(c.slots, s)
			c.buf[s] = make([]float64, capacity)
			c.grid[s] = make([]float64, c.gridN)
			c.ring.ch[s] = make([]float64, ringCap)
		}
		if c.ncol == 0 {
			c.ref = p
		}
		c.ncol += 2
	}
	c.ring.capacity = ringCap
	c.scratch = make([]float64, capacity)
	c.spec = make([]complex128, c.gridN)
	c.uPow = make([]float64, c.gridN/2+1)
	c.iPow = make([]float64, c.gridN/2+1)
	c.start = float64(c.pad)
	c.freq = nominal
	c.meas.Present = c.cfg.Phases
	c.meas.Harmonics = c.harmonics
	c.applyCalibration()
	c.ident = newIdentity(&c.cfg, 0)
	return c, nil
}

// View returns the read-only view for the management core.
func (c *Core) View() *View { return c.view }

// Process takes interleaved sample frames: for each wired phase in a, b, c
// order, u (V) then i (A). Any number of whole frames may be passed at a
// time; windows are analysed and integrated as soon as they are complete.
// A sample that is not finite or beyond ±MaxSample rejects the whole call
// (ErrFrame) before anything is taken. A window whose power the registers
// cannot take (beyond MaxPhasePower) is not registered and Process returns
// the ErrRange error.
func (c *Core) Process(frames []float64) error {
	if c.finished {
		return ErrFinished
	}
	if len(frames)%c.ncol != 0 {
		return fmt.Errorf("%w: %d values are not whole frames of %d channels", ErrFrame, len(frames), c.ncol)
	}
	for k, v := range frames {
		if !(math.Abs(v) <= MaxSample) {
			return fmt.Errorf("%w: frame %d channel %d: %v beyond ±%g", ErrFrame, k/c.ncol, k%c.ncol, v, MaxSample)
		}
	}
	capacity := len(c.buf[c.slots[0]])
	for len(frames) > 0 {
		if c.n == capacity {
			c.compact()
		}
		k := min(capacity-c.n, len(frames)/c.ncol)
		for col, s := range c.slots {
			dst := c.buf[s][c.n : c.n+k]
			g, o := c.gain[s], c.offset[s]
			for j := range dst {
				dst[j] = g * (frames[j*c.ncol+col] - o)
			}
		}
		c.pub.Lock()
		c.ring.write(&c.buf, c.slots, c.n, c.n+k)
		c.pub.Unlock()
		c.n += k
		frames = frames[k*c.ncol:]
		if err := c.analyseReady(false); err != nil {
			return err
		}
	}
	return nil
}

// Finish ends the sample stream: it analyses what is left of whole windows
// and integrates the samples after the last window with that window's
// power, so the registers cover every sample written. Process fails after it.
func (c *Core) Finish() error {
	if c.finished {
		return ErrFinished
	}
	c.finished = true
	if err := c.analyseReady(true); err != nil {
		return err
	}
	return c.integrateTo(float64(c.n), c.power)
}

// Calibrate replaces the calibration for all samples processed from now on
// and returns the new identity (its parameter checksum changes and its
// calibration counter advances). It is the only way to change a metrological
// parameter and belongs behind the meter's logged, seal-breaking path; the
// View offers no equivalent.
func (c *Core) Calibrate(cal Calibration) (Identity, error) {
	if err := cal.Validate(); err != nil {
		return Identity{}, err
	}
	c.cfg.Calibration = &cal
	c.applyCalibration()
	c.pub.Lock()
	defer c.pub.Unlock()
	c.calibrations++
	c.ident = newIdentity(&c.cfg, c.calibrations)
	return c.ident, nil
}

func (c *Core) applyCalibration() {
	for s := range channels {
		cc := c.cfg.Calibration.slot(s)
		c.gain[s], c.offset[s], c.delay[s] = cc.Gain, cc.Offset, cc.Delay*c.cfg.Rate
	}
}

// compact drops samples no window or integration needs any more.
func (c *Core) compact() {
	keep := int(math.Floor(min(c.start, c.integrated))) - c.pad
	if keep <= 0 {
		return
	}
	for _, s := range c.slots {
		copy(c.buf[s], c.buf[s][keep:c.n])
	}
	c.n -= keep
	c.start -= float64(keep)
	c.integrated -= float64(keep)
}

// integrateTo integrates p from the last integrated position to pos.
func (c *Core) integrateTo(pos float64, p Power) error {
	ns := (pos-c.integrated)*1e9/c.cfg.Rate + c.nsResidue
	whole := math.Round(ns)
	c.nsResidue = ns - whole
	c.integrated = pos
	if whole <= 0 {
		return nil
	}
	return c.acc.Integrate(p, time.Duration(whole))
}

func (c *Core) lastMeasurement() (Measurement, bool) {
	c.pub.RLock()
	defer c.pub.RUnlock()
	return c.published, c.hasPublished
}

func (c *Core) identity() Identity {
	c.pub.RLock()
	defer c.pub.RUnlock()
	return c.ident
}
