package nilm

import (
	"math"
	"strconv"
)

// FeatureSchema numbers the layout of Vector. A library records the schema
// it was trained on; Load refuses another.
const FeatureSchema = 2

// Indices into a Vector (schema 2). features.md defines each.
const (
	FLogIRMS      = iota                           // log10 of IRMS in A
	FPF                                            // P/S
	FSinPhi1                                       // Q1/(V1·I1): sine of the fundamental displacement angle
	FDistortion                                    // I1/IRMS
	FLogCrest                                      // log10 of the crest factor
	FConduction                                    // fraction of the cycle conducting
	FHarm3Re                                       // Re of (|I3|/|I1|)·e^{jφ3} (φ3 relative to V1), then Im, then h = 5 … 15
	FEven         = FHarm3Re + 2*(MaxHarmonic-1)/2 // sqrt(Σ even I_h²)/I1, h = 2 … 14
	FArea         = FEven + 1                      // V-I signed area
	FAsymmetry    = FEven + 2                      // V-I half-wave asymmetry
	FCurvature    = FEven + 3                      // V-I mean-line curvature
	FIntersection = FEven + 4                      // V-I self-intersections
	FMiddlePeak   = FEven + 5                      // V-I peak of the middle segment
	FActive       = FEven + 6                      // asinh of the fundamental active current I1·cos φ1 over 10 mA: logarithmic above it, linear through 0
	FReactive     = FEven + 7                      // asinh of the fundamental reactive current I1·sin φ1 (lagging positive) over 10 mA
	FShape        = FEven + 8                      // Features.Shape[0], then the other ShapeBins−1 bins
	NumFeatures   = FShape + ShapeBins
)

// componentScale (A) is where the asinh scale of the active and reactive
// currents turns from linear to logarithmic: asinh(x/s) ≈ ln(2x/s) for
// x ≫ s. Below 10 mA (1–2 W) a cycle's fundamental is mostly noise:
// PLAID's near-empty cycles carry ±1 W.
const componentScale = 0.01

// Vector is the classifier's view of an event.
type Vector [NumFeatures]float64

// featureNames are the short names the evaluation and the library tools
// print, in Vector order.
var featureNames = func() [NumFeatures]string {
	var n [NumFeatures]string
	n[FLogIRMS], n[FPF], n[FSinPhi1], n[FDistortion], n[FLogCrest], n[FConduction] =
		"log_irms", "pf", "sin_phi1", "distortion", "log_crest", "conduction"
	for h := 3; h <= MaxHarmonic; h += 2 {
		k := FHarm3Re + (h - 3)
		n[k], n[k+1] = "h"+strconv.Itoa(h)+"_re", "h"+strconv.Itoa(h)+"_im"
	}
	n[FEven], n[FArea], n[FAsymmetry], n[FCurvature], n[FIntersection], n[FMiddlePeak] =
		"even", "vi_area", "vi_asymmetry", "vi_curvature", "vi_intersections", "vi_middle_peak"
	n[FActive], n[FReactive] = "active", "reactive"
	for b := range ShapeBins {
		n[FShape+b] = "shape" + strconv.Itoa(b)
	}
	return n
}()

// FeatureName is the short name of Vector index k.
func FeatureName(k int) string {
	if k < 0 || k >= NumFeatures {
		return "?"
	}
	return featureNames[k]
}

// Vector maps the features into the classifier's coordinates: levels on a
// log scale (the signed current components on an asinh scale, which is
// logarithmic but keeps its sign through 0), ratios and shapes as they are, harmonics as Cartesian
// ratios to the fundamental so that a small harmonic with a noisy phase
// stays near 0 instead of jumping around the circle.
func (f *Features) Vector() Vector {
	var x Vector
	i1 := f.Harmonics[1].RMS
	x[FLogIRMS] = math.Log10(max(f.IRMS, 1e-6))
	x[FPF] = f.PF
	if i1 > 0 {
		x[FSinPhi1] = math.Sin(-f.Harmonics[1].Phase)
	}
	x[FDistortion] = i1 / f.IRMS
	x[FLogCrest] = math.Log10(max(f.CrestFactor, 1))
	x[FConduction] = f.Conduction
	var even float64
	for h := 2; h <= MaxHarmonic; h++ {
		r := 0.0
		if i1 > 0 {
			r = f.Harmonics[h].RMS / i1
		}
		if h%2 == 0 {
			even += r * r
			continue
		}
		if h >= 3 {
			s, c := math.Sincos(f.Harmonics[h].Phase)
			k := FHarm3Re + (h - 3)
			x[k], x[k+1] = r*c, r*s
		}
	}
	x[FEven] = math.Sqrt(even)
	x[FArea] = f.VI.Area
	x[FAsymmetry] = f.VI.Asymmetry
	x[FCurvature] = f.VI.Curvature
	x[FIntersection] = float64(f.VI.SelfIntersections)
	x[FMiddlePeak] = f.VI.MiddlePeak
	// Currents, not powers: the same appliance's P and Q1 follow the supply
	// voltage (a heater's P goes with V²), and an appliance that sags its
	// own supply by 10 % would otherwise look 20 % bigger on a stiff one.
	s1, c1 := math.Sincos(-f.Harmonics[1].Phase)
	x[FActive] = math.Asinh(i1 * c1 / componentScale)
	x[FReactive] = math.Asinh(i1 * s1 / componentScale)
	copy(x[FShape:], f.Shape[:])
	return x
}
