package nilm

import "math"

// Node is the first layer of the tree: the physical kind of load an event's
// current shows, decided by rules before any distance is computed.
type Node uint8

// The physics nodes.
const (
	Resistive           Node = iota // in phase, sinusoidal: heaters, kettles, incandescent lamps
	MotorInductive                  // lagging fundamental, mild distortion: motors, compressors, fans
	ElectronicRectifier             // strongly distorted, pulsed: switch-mode supplies, LED/CFL lamps
	Mixed                           // none of the above clearly
	NumNodes
)

var nodeNames = [NumNodes]string{"resistive", "motor-inductive", "electronic-rectifier", "mixed"}

func (n Node) String() string {
	if n < NumNodes {
		return nodeNames[n]
	}
	return "node?"
}

// Split holds the thresholds of the physics layer. They are part of a
// library, so they can change without a firmware update.
type Split struct {
	RectifierTHD   float64 // THD at or above which a current is rectifier-like
	InductiveSin   float64 // sin φ1 at or above which the fundamental lags enough for a motor
	ResistivePF    float64 // PF at or above which a load may be resistive …
	ResistiveTHD   float64 // … when its THD is also below this
	TrainingMargin float64 // relative band around each threshold in which a training event also teaches the neighbouring node
}

// DefaultSplit are thresholds from the physics of the load types: a
// rectifier with a capacitor draws a current with THD well above 40 %; an
// induction motor's fundamental lags by 15° or more (sin φ1 ≥ 0.25); a
// heating element's PF is above 0.95 with a THD below 15 %.
func DefaultSplit() Split {
	return Split{RectifierTHD: 0.4, InductiveSin: 0.25, ResistivePF: 0.95, ResistiveTHD: 0.15, TrainingMargin: 0.15}
}

// Node places an event by its features.
func (s *Split) Node(x *Vector) Node {
	return s.node(x[FPF], x[FSinPhi1], thdOf(x), 0)
}

// thdOf recovers the current THD from the distortion ratio I1/IRMS.
func thdOf(x *Vector) float64 {
	d := x[FDistortion]
	if d <= 0 {
		return math.Inf(1)
	}
	return math.Sqrt(max(1/(d*d)-1, 0))
}

// node applies the rules with every threshold moved by bias·margin in the
// direction that makes the earlier rules more likely (bias = +1) or less
// likely (−1); bias 0 is the plain rule.
func (s *Split) node(pf, sinPhi, thd, bias float64) Node {
	m := 1 - bias*s.TrainingMargin
	switch {
	case thd >= s.RectifierTHD*m:
		return ElectronicRectifier
	case sinPhi >= s.InductiveSin*m:
		return MotorInductive
	case pf >= s.ResistivePF*(1-bias*s.TrainingMargin*(1-s.ResistivePF)) && thd < s.ResistiveTHD/m:
		return Resistive
	}
	return Mixed
}

// trainingNodes is the set of nodes a training event teaches: its own and
// any it would fall into with the thresholds moved by the margin.
func (s *Split) trainingNodes(x *Vector) (set [NumNodes]bool) {
	for _, bias := range []float64{-1, 0, 1} {
		set[s.node(x[FPF], x[FSinPhi1], thdOf(x), bias)] = true
	}
	return set
}
