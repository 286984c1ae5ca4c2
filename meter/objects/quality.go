package objects

import (
	"fmt"
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/metrology"
)

// Power-quality objects, from the metrology core's last analysis window
// and its latest samples (IEC 62056-6-1 value group E of instantaneous
// values, D = 7; C = 32, 52, 72 voltage and 31, 51, 71 current of L1, L2,
// L3):
//
//	OBIS              IC  value                                          unit
//	1.0.C.7.h.255      3  RMS of harmonic h = 1…50, double-long-unsigned  0.01 V, mA
//	1.0.C.7.124.255    3  THD (of the harmonic components), long-unsigned 0.01 %
//	1.0.C.7.128.255    1  the last two cycles of samples (E = 128, manufacturer-specific):
//	                      structure { rate_hz double-long-unsigned, scaler integer,
//	                                  samples array of double-long }   volts or amperes × 10^scaler
//
// A meter whose core analyses no window (a load model's accumulator, or
// before the first window) answers object-unavailable.
const (
	THDObject      = 124 // value group E of a THD
	WaveformObject = 128 // value group E of a waveform capture
	// WaveformCycles is how many mains cycles a waveform object holds.
	WaveformCycles = 2
)

// HarmonicLN is the logical name of harmonic h (THDObject: the THD,
// WaveformObject: the samples) of phase p (0…2), voltage or current.
func HarmonicLN(current bool, p, h int) [6]byte {
	c := byte(32 + 20*p)
	if current {
		c--
	}
	return [6]byte{1, 0, c, 7, byte(h), 255}
}

// IsQuality reports whether name is one of the power-quality objects,
// which answer object-unavailable on a meter without analysis windows.
func IsQuality(name [6]byte) bool {
	c, e := name[2], int(name[4])
	return name[0] == 1 && name[1] == 0 && name[3] == 7 && name[5] == 255 && (c-31)%20 <= 1 && c >= 31 && c <= 72 &&
		(e >= 1 && e <= metrology.MaxHarmonic || e == THDObject || e == WaveformObject)
}

// addQuality adds the power-quality objects of every phase.
func addQuality(b *builder) {
	for p := range 3 {
		for _, current := range []bool{false, true} {
			unit, scaler := cosem.UnitVolt, int8(-2)
			if current {
				unit, scaler = cosem.UnitAmpere, -3
			}
			for h := 1; h <= metrology.MaxHarmonic; h++ {
				b.add(HarmonicLN(current, p, h), measured(unit, scaler, func(m *metrology.Measurement) float64 {
					x := m.Phases[p].Harmonics[h]
					if current {
						return cmplxAbs(x.I)
					}
					return cmplxAbs(x.U)
				}), Metered)
			}
			b.add(HarmonicLN(current, p, THDObject), measured(cosem.UnitPercent, -2, func(m *metrology.Measurement) float64 {
				if current {
					return 100 * m.Phases[p].THDI
				}
				return 100 * m.Phases[p].THDU
			}), Metered)
			b.add(HarmonicLN(current, p, WaveformObject), waveformObject{phase: p, current: current, scaler: scaler}, Metered)
		}
	}
}

func cmplxAbs(z complex128) float64 { return math.Hypot(real(z), imag(z)) }

// measured is a Register of a quantity of the last analysis window, as a
// double-long-unsigned of value × 10^-scaler.
func measured(unit cosem.Unit, scaler int8, value func(*metrology.Measurement) float64) handler {
	return qualityRegister{su: cosem.ScalerUnit{Scaler: scaler, Unit: unit}, value: value}
}

type qualityRegister struct {
	su    cosem.ScalerUnit
	value func(*metrology.Measurement) float64
}

func (qualityRegister) class() (cosem.ClassID, uint8) { return cosem.ClassRegister, 0 }

func (h qualityRegister) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	switch attr {
	case 2:
		m, ok := t.m.Measurement()
		if !ok {
			return dst, fmt.Errorf("%w: no analysis window", cosem.ErrUnavailable)
		}
		v := math.Round(h.value(&m) * math.Pow10(-int(h.su.Scaler)))
		return axdr.AppendUint32(dst, uint32(math.Max(0, math.Min(v, math.MaxUint32)))), nil
	case 3:
		return cosem.AppendScalerUnit(dst, h.su), nil
	}
	return dst, noSuchAttribute(attr)
}

// waveformObject is a Data object holding the last WaveformCycles cycles
// of one channel.
type waveformObject struct {
	phase   int
	current bool
	scaler  int8
}

func (waveformObject) class() (cosem.ClassID, uint8) { return cosem.ClassData, 0 }

func (h waveformObject) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	if attr != 2 {
		return dst, noSuchAttribute(attr)
	}
	w, err := t.m.Capture(WaveformCycles)
	if err != nil {
		return dst, fmt.Errorf("%w: %v", cosem.ErrUnavailable, err)
	}
	samples := w.U[h.phase]
	if h.current {
		samples = w.I[h.phase]
	}
	if !w.Present[h.phase] || len(samples) == 0 {
		return dst, fmt.Errorf("%w: phase not wired", cosem.ErrUnavailable)
	}
	k := math.Pow10(-int(h.scaler))
	dst = axdr.AppendStructure(dst, 3)
	dst = axdr.AppendUint32(dst, uint32(math.Round(w.Rate)))
	dst = axdr.AppendInt8(dst, h.scaler)
	dst = axdr.AppendArray(dst, len(samples))
	for _, s := range samples {
		dst = axdr.AppendInt32(dst, int32(math.Max(math.MinInt32, math.Min(math.Round(s*k), math.MaxInt32))))
	}
	return dst, nil
}
