package metrology

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
)

// ChannelCalibration corrects one sampled channel. A raw sample x becomes
// Gain·(x − Offset); Delay is how many seconds after the frame's instant the
// channel is really sampled (a multiplexed ADC converts channels one after
// another, a current transformer adds phase shift). The core reads each
// channel Delay earlier, by fractional-sample interpolation, so voltage and
// current line up again. A phase error φ (radians) at the nominal frequency
// f is entered as Delay = φ/(2π·f).
type ChannelCalibration struct {
	Gain   float64
	Offset float64
	Delay  float64
}

// Calibration holds the metrological parameters of every channel. It is a
// plain value: a copy read from a View cannot change the core.
type Calibration struct {
	U, I [3]ChannelCalibration
}

// UnityCalibration is gain 1, no offset and no delay on every channel.
func UnityCalibration() Calibration {
	var c Calibration
	for p := range 3 {
		c.U[p].Gain, c.I[p].Gain = 1, 1
	}
	return c
}

// Validate reports the first channel whose parameters are unusable: gains
// must lie in [1e-9, 1e9], offsets within ±MaxSample, delays within ±1 ms.
func (c *Calibration) Validate() error {
	for p := range 3 {
		for _, ch := range []struct {
			name string
			cc   ChannelCalibration
		}{{"u", c.U[p]}, {"i", c.I[p]}} {
			name := fmt.Sprintf("%s%c", ch.name, 'a'+p)
			switch {
			case !(ch.cc.Gain >= 1e-9 && ch.cc.Gain <= 1e9):
				return fmt.Errorf("%w: calibration %s: gain %v", ErrConfig, name, ch.cc.Gain)
			case !(math.Abs(ch.cc.Offset) <= MaxSample):
				return fmt.Errorf("%w: calibration %s: offset %v", ErrConfig, name, ch.cc.Offset)
			case !(math.Abs(ch.cc.Delay) <= maxDelay):
				return fmt.Errorf("%w: calibration %s: delay %v s beyond ±%v s", ErrConfig, name, ch.cc.Delay, maxDelay)
			}
		}
	}
	return nil
}

// slot returns the calibration of channel slot s (0…5 = ua, ia, ub, ib, uc, ic).
func (c *Calibration) slot(s int) ChannelCalibration {
	if s%2 == 0 {
		return c.U[s/2]
	}
	return c.I[s/2]
}

// appendBinary appends the calibration in a fixed layout: for each slot in
// ua, ia, ub, ib, uc, ic order, gain, offset and delay as big-endian IEEE 754
// doubles. The parameter checksum is computed over this layout.
func (c *Calibration) appendBinary(b []byte) []byte {
	for s := range channels {
		cc := c.slot(s)
		for _, v := range []float64{cc.Gain, cc.Offset, cc.Delay} {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// Checksum is the SHA-256 of the calibration's fixed binary layout.
func (c *Calibration) Checksum() [32]byte {
	return sha256.Sum256(c.appendBinary(nil))
}
