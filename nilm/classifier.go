package nilm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Unknown is the label of an event no prototype accepts.
const Unknown = "unknown"

// State is the direction of an event: the appliance switched on or off.
type State uint8

// Event states.
const (
	Off State = iota
	On
)

func (s State) String() string {
	if s == On {
		return "on"
	}
	return "off"
}

// Result is the answer for one event.
type Result struct {
	Label    string  // appliance label, or Unknown
	Nearest  string  // the best-scoring appliance even when Label is Unknown ("" if the node is empty)
	Distance float64 // Mahalanobis distance to the nearest accepted prototype (or the nearest one when Unknown)
	// Confidence is the share of the nearest prototype's own events that
	// lie further from it than this one: the chi-square survival of
	// Distance² in the node's dimensions, with distances deflated by the
	// inflation the limit was calibrated with. It is 1 at the prototype's
	// centre and 1 − the library's confidence (0.001) at the unknown
	// threshold; 0 when no prototype scored.
	Confidence float64
	State      State // what the appliance did: the event's direction
	Node       Node  // the physics node the event went to
}

// Classifier is a trained tree: the physics split, then per node the
// appliance prototypes (one per appliance and state, each with its own
// shrunk covariance in the node's discriminant coordinates), then the
// state. It is immutable and safe for concurrent use.
type Classifier struct {
	version    uint32
	split      Split
	confidence float64 // chi-square confidence of the unknown threshold
	logDet     bool    // score prototypes by d² + ln|Σ| (Gaussian) instead of d² alone
	labels     []string
	nodes      [NumNodes]node
}

// node is one physics node: its view of the Vector, standardised, then
// projected on its discriminant directions (lda.go), where its prototypes
// live.
type node struct {
	features []uint8   // the view: indices into Vector, ascending
	center   []float64 // standardisation: z = (x − center)/scale
	scale    []float64
	dims     int       // discriminant directions d (0 for an empty node)
	proj     []float64 // len(features)×dims, row-major
	protos   []prototype
}

type prototype struct {
	class  uint16 // index into labels
	state  State
	mean   []float64 // in the node's discriminant coordinates
	w      []float64 // packed lower-triangular L⁻¹, Σ = L·Lᵀ, row i holds i+1 entries
	logDet float64   // ln|Σ|
	limit  float64   // d² above which this prototype rejects an event
}

// Version is the library version the classifier was loaded from.
func (c *Classifier) Version() uint32 { return c.version }

// Labels are the appliance labels the classifier knows.
func (c *Classifier) Labels() []string { return append([]string(nil), c.labels...) }

// Classify extracts the event's features and classifies them.
func (c *Classifier) Classify(ev *Event) (Result, error) {
	f, err := Extract(ev.Voltage, ev.Current)
	if err != nil {
		return Result{}, fmt.Errorf("nilm: classify event at cycle %d: %w", ev.Cycle, err)
	}
	x := f.Vector()
	return c.ClassifyVector(&x, ev.State()), nil
}

// ClassifyVector classifies a feature vector of an event in state s. The
// event goes to one physics node; there every prototype is scored by
// d² + ln|Σ| (the Gaussian log-likelihood, up to constants), plus
// statePenalty for a prototype of the other state: an appliance usually
// switches off from the mode it switched on in, and its off prototype then
// describes the event best, but a much better match in the other state
// still wins. If the winner's squared distance is beyond its chi-square
// limit, the answer is Unknown.
func (c *Classifier) ClassifyVector(x *Vector, s State) Result {
	nd := c.split.Node(x)
	n := &c.nodes[nd]
	res := Result{Label: Unknown, Distance: math.Inf(1), State: s, Node: nd}
	best, d2 := n.nearest(x, s, c.logDet)
	if best < 0 {
		return res
	}
	res.Distance = math.Sqrt(d2)
	res.Nearest = c.labels[n.protos[best].class]
	p := &n.protos[best]
	if d2 <= p.limit {
		res.Label = res.Nearest
	}
	if !math.IsInf(p.limit, 0) {
		chi := distuv.ChiSquared{K: float64(n.dims)}
		res.Confidence = chi.Survival(d2 * chi.Quantile(c.confidence) / p.limit)
	}
	return res
}

// statePenalty is the score added to a prototype of the state the event is
// not in: 2·ln 99, the prior odds 99:1 that an appliance's switching
// current looks like its own state's prototype, on the scale of d².
const statePenalty = 9.19023970026918

// nearest returns the index of the best-scoring prototype for x in state s
// and its squared distance; -1 when the node has none.
func (n *node) nearest(x *Vector, s State, logDet bool) (int, float64) {
	var buf [maxDims]float64
	return n.nearestTo(n.coords(x, &buf), s, logDet)
}

// coords standardises the node's view of x and projects it on the node's
// discriminant directions, into buf.
func (n *node) coords(x *Vector, buf *[maxDims]float64) []float64 {
	var z [NumFeatures]float64
	for k, fi := range n.features {
		z[k] = (x[fi] - n.center[k]) / n.scale[k]
	}
	return project(buf[:], z[:len(n.features)], n.proj, n.dims)
}

// nearestTo is nearest for discriminant coordinates y.
func (n *node) nearestTo(y []float64, s State, logDet bool) (int, float64) {
	best, bestScore, bestD2 := -1, math.Inf(1), math.Inf(1)
	for k := range n.protos {
		p := &n.protos[k]
		d2 := p.distance2(y)
		score := d2
		if logDet {
			score += p.logDet
		}
		if p.state != s {
			score += statePenalty
		}
		if score < bestScore {
			best, bestScore, bestD2 = k, score, d2
		}
	}
	return best, bestD2
}

// distance2 is the squared Mahalanobis distance ‖L⁻¹(y − μ)‖².
func (p *prototype) distance2(y []float64) float64 {
	var d [maxDims]float64
	for j := range y {
		d[j] = y[j] - p.mean[j]
	}
	var sum float64
	w := p.w
	for i := range y {
		var r float64
		for j, wij := range w[:i+1] {
			r += wij * d[j]
		}
		w = w[i+1:]
		sum += r * r
	}
	return sum
}

// NodeFeatures lists the Vector indices node nd's view holds (nil for an
// empty node or an unknown nd).
func (c *Classifier) NodeFeatures(nd Node) []int {
	if nd >= NumNodes {
		return nil
	}
	var out []int
	for _, f := range c.nodes[nd].features {
		out = append(out, int(f))
	}
	return out
}

// Prototypes counts the prototypes of node nd.
func (c *Classifier) Prototypes(nd Node) int {
	if nd >= NumNodes {
		return 0
	}
	return len(c.nodes[nd].protos)
}

// NodeDims is the number of discriminant directions node nd scores in (0
// for an empty node or an unknown nd).
func (c *Classifier) NodeDims(nd Node) int {
	if nd >= NumNodes {
		return 0
	}
	return c.nodes[nd].dims
}
