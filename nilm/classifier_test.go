package nilm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// cluster describes synthetic events of one appliance state: a resistive
// load (PF 1, no distortion) at a given level and 3rd-harmonic ratio.
type cluster struct {
	label  string
	state  State
	logI   float64
	h3, h5 float64
}

func (c cluster) draw(rng *rand.Rand) Sample {
	var x Vector
	x[FLogIRMS] = c.logI + 0.01*rng.NormFloat64()
	x[FPF] = 1 - 0.002*math.Abs(rng.NormFloat64())
	x[FSinPhi1] = 0.01 * rng.NormFloat64()
	x[FDistortion] = 1 - 0.0005*math.Abs(rng.NormFloat64())
	x[FHarm3Re] = c.h3 + 0.002*rng.NormFloat64()
	x[FHarm3Re+2] = c.h5 + 0.002*rng.NormFloat64()
	for k := range NumFeatures {
		if x[k] == 0 {
			x[k] = 0.01 * rng.NormFloat64()
		}
	}
	return Sample{X: x, Label: c.label, State: c.state}
}

var clusters = []cluster{
	{"kettle", On, 1.0, 0.01, 0},
	{"kettle", Off, 1.0, 0.01, 0},
	{"lamp", On, 0.0, 0.01, 0},
	{"lamp", Off, 0.0, 0.01, 0},
	{"iron", On, 0.8, 0.05, 0.03},
	{"iron", Off, 0.3, 0.05, 0.03}, // switches off from its low setting
}

func trainClusters(t testing.TB, seed uint64, perCluster int) *Classifier {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var train []Sample
	for range perCluster {
		for _, c := range clusters {
			train = append(train, c.draw(rng))
		}
	}
	c, err := Train(train, TrainConfig{Version: 7})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClassifySyntheticClusters(t *testing.T) {
	c := trainClusters(t, 1, 10)
	rng := rand.New(rand.NewPCG(2, 2))
	wrong, unknown := 0, 0
	var conf []float64
	for range 50 {
		for _, cl := range clusters {
			s := cl.draw(rng)
			r := c.ClassifyVector(&s.X, s.State)
			switch {
			case r.Label == Unknown:
				unknown++
			case r.Label != cl.label || r.State != cl.state || r.Node != Resistive:
				wrong++
			}
			// An accepted event lies within the limit: at least the
			// 0.1 % of its prototype's events beyond the threshold
			// lie further out.
			if r.Label != Unknown && (r.Confidence < 0.001 || r.Confidence > 1) {
				t.Fatalf("accepted with confidence %v", r.Confidence)
			}
			conf = append(conf, r.Confidence)
		}
	}
	// Events drawn from the prototypes themselves lie mostly well
	// inside (the limit's calibration, on held-out events, inflates the
	// distances the confidence is measured in).
	slices.Sort(conf)
	if med := conf[len(conf)/2]; med < 0.5 || med >= 1 {
		t.Errorf("median confidence %v of events drawn from the prototypes", med)
	}
	// Clusters 50 standard deviations apart: every answer is right; at the
	// 0.999 confidence a handful of the 300 may be beyond the threshold.
	if wrong != 0 || unknown > 6 {
		t.Errorf("300 events: %d wrong, %d unknown; want 0 wrong, ≤ 6 unknown", wrong, unknown)
	}
}

func TestClassifyUsesTheEventState(t *testing.T) {
	c := trainClusters(t, 3, 10)
	rng := rand.New(rand.NewPCG(4, 4))
	// The iron switches on at logI 0.8 and off from its low setting at
	// 0.3. An on event at 0.3 is far from every switch-on prototype; the
	// iron's switch-off prototype, even with the state prior's penalty,
	// is far the best: the iron switched on straight into its low setting.
	s := clusters[5].draw(rng)
	if r := c.ClassifyVector(&s.X, Off); r.Label != "iron" || r.State != Off {
		t.Errorf("off event at the iron's low setting = %+v, want iron off", r)
	}
	r := c.ClassifyVector(&s.X, On)
	if r.Label != "iron" || r.State != On {
		t.Errorf("on event at the iron's low setting = %+v, want iron on", r)
	}
}

func TestClassifyRejectsUnknownAppliance(t *testing.T) {
	c := trainClusters(t, 5, 10)
	rng := rand.New(rand.NewPCG(6, 6))
	stranger := cluster{"heater", On, 0.5, 0.01, 0} // between the lamp and the kettle
	for range 20 {
		s := stranger.draw(rng)
		r := c.ClassifyVector(&s.X, s.State)
		if r.Label != Unknown {
			t.Fatalf("unseen appliance classified as %+v, want unknown", r)
		}
		if r.Nearest == "" || r.Distance < 10 || r.Confidence >= 0.001 {
			t.Fatalf("rejection %+v should name the nearest appliance at a large distance, with a confidence below 0.001", r)
		}
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	if _, err := Train(nil, TrainConfig{}); err == nil {
		t.Error("Train(nil) succeeded")
	}
	if _, err := Train([]Sample{{Label: Unknown}}, TrainConfig{}); err == nil {
		t.Error("Train accepted the reserved label")
	}
	if _, err := Train([]Sample{{Label: "a"}}, TrainConfig{Confidence: 1.5}); err == nil {
		t.Error("Train accepted confidence 1.5")
	}
}

// TestShrinkage: many samples of a known covariance need almost no
// shrinkage and recover it; a target equal to the sample covariance needs
// none to be told apart from it (λ = 1 by convention when S = T).
func TestShrinkage(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	truth := mat.NewSymDense(2, []float64{4, 1.2, 1.2, 1})
	var ch mat.Cholesky
	ch.Factorize(truth)
	var l mat.TriDense
	ch.LTo(&l)
	var rows [][]float64
	for range 20000 {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		rows = append(rows, []float64{l.At(0, 0) * a, l.At(1, 0)*a + l.At(1, 1)*b})
	}
	mean := meanOf(rows, 2)
	s, varS := sampleCov(rows, mean)
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	lambda := shrinkage(s, varS, id)
	if lambda > 0.01 {
		t.Errorf("λ with 20000 samples = %v, want < 0.01", lambda)
	}
	for i := range 2 {
		for j := range 2 {
			near(t, "Σ", s.At(i, j), truth.At(i, j), 0.1)
		}
	}
	if got := shrinkage(s, varS, s); got != 1 {
		t.Errorf("λ towards itself = %v, want 1", got)
	}
	// Two samples cannot say how uncertain their covariance is: the
	// target stands. Three in three dimensions give a singular S that
	// shrinkage must make invertible.
	id3 := mat.NewSymDense(3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
	two := [][]float64{{1, 2, 3}, {2, 2, 1}}
	if got := shrunkCov(two, meanOf(two, 3), id3); !mat.EqualApprox(got, id3, 0) {
		t.Errorf("covariance of 2 samples = %v, want the target", mat.Formatted(got))
	}
	three := [][]float64{{1, 2, 3}, {2, 2, 1}, {0, 1, 1}}
	if _, _, err := inverseCholesky(shrunkCov(three, meanOf(three, 3), id3)); err != nil {
		t.Errorf("shrunk covariance of 3 samples in 3-d: %v", err)
	}
}

func TestStatePenaltyIsTheLogPriorOdds(t *testing.T) {
	near(t, "statePenalty", statePenalty, 2*math.Log(99), 1e-12)
}

// TestTrainChoosesTheViewThatSeparates: two appliances alike in every
// coordinate but the 5th harmonic, which the default "shape" view does not
// hold: the inner cross-validation moves the node to "harmonics", the
// first view that holds it, and the appliances come apart.
func TestTrainChoosesTheViewThatSeparates(t *testing.T) {
	twins := []cluster{
		{"fan", On, 0.5, 0.01, 0.04},
		{"pump", On, 0.5, 0.01, -0.04},
	}
	rng := rand.New(rand.NewPCG(10, 10))
	var train []Sample
	for range 12 {
		for _, c := range twins {
			train = append(train, c.draw(rng))
		}
	}
	c, err := Train(train, TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if v := ViewName(c.NodeFeatures(Resistive)); v != "harmonics" {
		t.Fatalf("resistive node view %q, want harmonics", v)
	}
	for range 20 {
		for _, tw := range twins {
			s := tw.draw(rng)
			if r := c.ClassifyVector(&s.X, On); r.Nearest != tw.label {
				t.Fatalf("%s event classified %+v", tw.label, r)
			}
		}
	}
}
