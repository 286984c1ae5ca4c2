package metrology

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Energy is an energy register value in micro-units: µWh, µvarh or µVAh.
// Registers only ever grow; at the largest accepted power (MaxPhasePower on
// all three phases) an int64 lasts over 30 years.
type Energy int64

// Wh converts to watt-hours (or varh, VAh).
func (e Energy) Wh() float64 { return float64(e) / 1e6 }

// String formats the value in watt-hours with the full micro resolution.
func (e Energy) String() string { return fmt.Sprintf("%d.%06d", e/1e6, e%1e6) }

// Quadrant numbers follow IEC 62053-23 / DLMS: QI import inductive, QII
// export inductive (seen from the grid: export with current lagging the
// export direction), QIII export capacitive, QIV import capacitive. In terms
// of signs: QI P≥0 Q≥0, QII P<0 Q≥0, QIII P<0 Q<0, QIV P≥0 Q<0.
const (
	QI = iota
	QII
	QIII
	QIV
)

// Registers are the energy registers of a meter (DLMS 1.0.1.8.0 …
// 1.0.10.8.0). They are plain values: the copy a View returns is the
// caller's own.
type Registers struct {
	ActiveImport   Energy    // +A, 1.0.1.8.0
	ActiveExport   Energy    // −A, 1.0.2.8.0
	Reactive       [4]Energy // fundamental reactive Q1 by quadrant, 1.0.5.8.0 … 1.0.8.8.0
	ApparentImport Energy    // apparent while importing, 1.0.9.8.0
	ApparentExport Energy    // apparent while exporting, 1.0.10.8.0
}

// ReactiveImport is +R (QI + QII), DLMS 1.0.3.8.0.
func (r Registers) ReactiveImport() Energy { return r.Reactive[QI] + r.Reactive[QII] }

// ReactiveExport is −R (QIII + QIV), DLMS 1.0.4.8.0.
func (r Registers) ReactiveExport() Energy { return r.Reactive[QIII] + r.Reactive[QIV] }

// Apparent is the apparent energy in both directions.
func (r Registers) Apparent() Energy { return r.ApparentImport + r.ApparentExport }

// Sub returns the register-by-register difference r − s.
func (r Registers) Sub(s Registers) Registers { return r.plus(s, -1) }

// Add returns the register-by-register sum r + s.
func (r Registers) Add(s Registers) Registers { return r.plus(s, 1) }

func (r Registers) plus(s Registers, k Energy) Registers {
	out := Registers{
		ActiveImport:   r.ActiveImport + k*s.ActiveImport,
		ActiveExport:   r.ActiveExport + k*s.ActiveExport,
		ApparentImport: r.ApparentImport + k*s.ApparentImport,
		ApparentExport: r.ApparentExport + k*s.ApparentExport,
	}
	for q := range out.Reactive {
		out.Reactive[q] = r.Reactive[q] + k*s.Reactive[q]
	}
	return out
}

// microWattNanosPerMicroWh is 1 µWh expressed in µW·ns (3.6·10⁻³ J / 10⁻¹⁵ J).
const microWattNanosPerMicroWh = 3_600_000_000_000

// register accumulates power × time exactly. Power is quantised to whole
// µW per step, time is whole nanoseconds, their product is formed in 128
// bits and divided into whole µWh; the remainder (in µW·ns, always below
// one µWh) is carried to the next step. The register therefore always
// equals ⌊Σ p_k·t_k / 3.6·10¹²⌋ exactly, however the time is split into
// steps: no rounding accumulates, ever.
type register struct {
	rem uint64 // µW·ns, < microWattNanosPerMicroWh
}

// add integrates microWatts for nanos into e. The product must stay below
// 2⁶⁴ µWh·… which the callers' limits (MaxPhasePower, maxStep) guarantee.
func (r *register) add(e *Energy, microWatts, nanos uint64) {
	hi, lo := bits.Mul64(microWatts, nanos)
	lo, carry := bits.Add64(lo, r.rem, 0)
	hi += carry
	q, rem := bits.Div64(hi, lo, microWattNanosPerMicroWh)
	r.rem = rem
	*e += Energy(q)
}

// microUnits quantises a non-negative power in W (var, VA) to whole µW,
// rounding half to even.
func microUnits(x float64) uint64 { return uint64(math.RoundToEven(x * 1e6)) }

// maxStep is the longest single integration step accepted.
const maxStep = 24 * time.Hour
