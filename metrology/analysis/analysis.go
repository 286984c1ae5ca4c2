package analysis

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/cmplx"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/samplecsv"
)

// Report is the JSON document of `amigo metrology analyze --json`; its field
// names are a contract (ARCHITECTURE §5).
type Report struct {
	RateHz      float64       `json:"rate_hz"`
	Samples     int64         `json:"samples"`
	DurationS   float64       `json:"duration_s"`
	FrequencyHz float64       `json:"frequency_hz"`
	Phases      []PhaseReport `json:"phases"`
	Total       TotalReport   `json:"total"`
	Energy      EnergyReport  `json:"energy"`
}

// PhaseReport holds the IEEE 1459 quantities of one phase.
type PhaseReport struct {
	Phase     string           `json:"phase"`
	URMS      float64          `json:"u_rms"`
	IRMS      float64          `json:"i_rms"`
	PW        float64          `json:"p_w"`
	P1W       float64          `json:"p1_w"`
	PHW       float64          `json:"ph_w"`
	Q1Var     float64          `json:"q1_var"`
	QBVar     float64          `json:"qb_var"`
	SVA       float64          `json:"s_va"`
	S1VA      float64          `json:"s1_va"`
	PF        float64          `json:"pf"`
	PF1       float64          `json:"pf1"`
	THDU      float64          `json:"thd_u"`
	THDI      float64          `json:"thd_i"`
	Harmonics []HarmonicReport `json:"harmonics"`
}

// HarmonicReport is one harmonic order: RMS values, active power and the
// angle of the current harmonic relative to the voltage harmonic.
type HarmonicReport struct {
	H        int     `json:"h"`
	URMS     float64 `json:"u_rms"`
	IRMS     float64 `json:"i_rms"`
	PW       float64 `json:"p_w"`
	AngleDeg float64 `json:"angle_deg"`
}

// TotalReport sums the phases; S is the arithmetic sum.
type TotalReport struct {
	PW    float64 `json:"p_w"`
	Q1Var float64 `json:"q1_var"`
	SVA   float64 `json:"s_va"`
}

// EnergyReport is the registers over the file, in Wh, varh and VAh.
type EnergyReport struct {
	ImportWh    float64 `json:"import_wh"`
	ExportWh    float64 `json:"export_wh"`
	Q1Varh      float64 `json:"q1_varh"`
	Q2Varh      float64 `json:"q2_varh"`
	Q3Varh      float64 `json:"q3_varh"`
	Q4Varh      float64 `json:"q4_varh"`
	ApparentVAh float64 `json:"apparent_vah"`
}

// Options are what the file does not say.
type Options struct {
	Rate    float64 // samples per second
	Nominal float64 // 50 or 60 Hz; 0 means 50
}

// Check validates the options before any file is read. Its errors name the
// command-line flag.
func (o Options) Check() error {
	nominal := o.Nominal
	if nominal == 0 {
		nominal = 50
	}
	switch {
	case nominal != 50 && nominal != 60:
		return fmt.Errorf("--nominal %v: want 50 or 60", o.Nominal)
	case !(o.Rate > 0) || math.IsInf(o.Rate, 0):
		return fmt.Errorf("--rate %v: must be a positive number of samples per second", o.Rate)
	case o.Rate < metrology.MinRate(nominal):
		return fmt.Errorf("--rate %v: too low for %v Hz: need at least %v Hz (64 samples per cycle)", o.Rate, nominal, metrology.MinRate(nominal))
	case o.Rate > metrology.MaxRate:
		return fmt.Errorf("--rate %v: above the %v Hz the core accepts", o.Rate, metrology.MaxRate)
	}
	return nil
}

// Analyze reads a sample file to its end and analyses all of it. file names
// the input in errors, which have the form FILE:LINE: reason.
func Analyze(r io.Reader, file string, opts Options) (*Report, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	rd, err := samplecsv.NewReader(r, file)
	if err != nil {
		return nil, err
	}
	var agg aggregate
	core, err := metrology.New(metrology.Config{
		Rate:     opts.Rate,
		Nominal:  opts.Nominal,
		Phases:   rd.Phases(),
		OnWindow: agg.add,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var frames int64
	buf := make([]float64, 4096*rd.Channels())
	for {
		n, err := rd.Read(buf)
		if n > 0 {
			if perr := core.Process(buf[:n*rd.Channels()]); perr != nil {
				return nil, fmt.Errorf("%s:%d: %w", file, rd.Line(), perr)
			}
			frames += int64(n)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if err := core.Finish(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, rd.Line(), err)
	}
	if frames == 0 {
		return nil, &samplecsv.Error{File: file, Line: rd.Line(), Msg: "no samples after the header"}
	}
	if agg.windows == 0 {
		return nil, &samplecsv.Error{File: file, Line: rd.Line(), Msg: fmt.Sprintf(
			"%d samples (%.3g s) are less than one analysis window: need about %.3g s", frames, float64(frames)/opts.Rate, minSeconds(opts))}
	}
	rep := agg.report(rd.Phases())
	rep.RateHz, rep.Samples, rep.DurationS = opts.Rate, frames, float64(frames)/opts.Rate
	r0 := core.View().Registers()
	rep.Energy = EnergyReport{
		ImportWh: r0.ActiveImport.Wh(), ExportWh: r0.ActiveExport.Wh(),
		Q1Varh: r0.Reactive[metrology.QI].Wh(), Q2Varh: r0.Reactive[metrology.QII].Wh(),
		Q3Varh: r0.Reactive[metrology.QIII].Wh(), Q4Varh: r0.Reactive[metrology.QIV].Wh(),
		ApparentVAh: r0.Apparent().Wh(),
	}
	return rep, nil
}

// minSeconds is roughly the shortest file that yields a window: one window
// at the lowest tracked frequency (0.8 × nominal) plus the resampler's margin.
func minSeconds(o Options) float64 {
	if o.Nominal == 60 {
		return 12/(0.8*60) + 0.01
	}
	return 10/(0.8*50) + 0.01
}

// aggregate accumulates duration-weighted sums over windows.
type aggregate struct {
	windows       int
	seconds       float64
	lockedSeconds float64
	lockedCycles  float64
	harmonics     int
	phases        [3]phaseSums
}

type phaseSums struct {
	u2, i2, p, p1, q1, qb float64
	hu2, hi2, hp          [metrology.MaxHarmonic + 1]float64
	hx                    [metrology.MaxHarmonic + 1]complex128 // Σ U_h·I_h*·dt
}

func (a *aggregate) add(m metrology.Measurement) {
	dt := m.Duration.Seconds()
	a.windows++
	a.seconds += dt
	a.harmonics = m.Harmonics
	if m.Locked {
		a.lockedSeconds += dt
		a.lockedCycles += m.Frequency * dt
	}
	for p := range 3 {
		if !m.Present[p] {
			continue
		}
		pv, s := &m.Phases[p], &a.phases[p]
		s.u2 += pv.U * pv.U * dt
		s.i2 += pv.I * pv.I * dt
		s.p += pv.P * dt
		s.p1 += pv.P1 * dt
		s.q1 += pv.Q1 * dt
		s.qb += pv.QB * dt
		for h := 1; h <= m.Harmonics; h++ {
			hr := pv.Harmonics[h]
			s.hu2[h] += sq(cmplx.Abs(hr.U)) * dt
			s.hi2[h] += sq(cmplx.Abs(hr.I)) * dt
			s.hp[h] += hr.P() * dt
			s.hx[h] += hr.U * cmplx.Conj(hr.I) * complex(dt, 0)
		}
	}
}

// report turns the sums into the document's phases, totals and frequency.
func (a *aggregate) report(phases [3]bool) *Report {
	rep := &Report{Phases: []PhaseReport{}}
	if a.lockedSeconds > 0 {
		rep.FrequencyHz = a.lockedCycles / a.lockedSeconds
	}
	T := a.seconds
	for p, on := range phases {
		if !on {
			continue
		}
		s := &a.phases[p]
		pr := PhaseReport{
			Phase: string(rune('a' + p)),
			URMS:  math.Sqrt(s.u2 / T), IRMS: math.Sqrt(s.i2 / T),
			PW: s.p / T, P1W: s.p1 / T, Q1Var: s.q1 / T, QBVar: s.qb / T,
			Harmonics: make([]HarmonicReport, 0, a.harmonics),
		}
		pr.PHW = pr.PW - pr.P1W
		pr.SVA = pr.URMS * pr.IRMS
		u1, i1 := math.Sqrt(s.hu2[1]/T), math.Sqrt(s.hi2[1]/T)
		pr.S1VA = u1 * i1
		pr.PF, pr.PF1 = ratio(pr.PW, pr.SVA), ratio(pr.P1W, pr.S1VA)
		var hu, hi float64
		for h := 1; h <= a.harmonics; h++ {
			hr := HarmonicReport{H: h, URMS: math.Sqrt(s.hu2[h] / T), IRMS: math.Sqrt(s.hi2[h] / T), PW: s.hp[h] / T}
			// The angle is left 0 where either harmonic is rounding noise
			// (below 10⁻⁶ of its fundamental): it would be meaningless.
			if hr.URMS > 1e-6*u1 && hr.IRMS > 1e-6*i1 {
				hr.AngleDeg = -cmplx.Phase(s.hx[h]) * 180 / math.Pi
				if hr.AngleDeg <= -180 {
					hr.AngleDeg += 360
				}
			}
			pr.Harmonics = append(pr.Harmonics, hr)
			if h >= 2 {
				hu += s.hu2[h] / T
				hi += s.hi2[h] / T
			}
		}
		pr.THDU, pr.THDI = ratio(math.Sqrt(hu), u1), ratio(math.Sqrt(hi), i1)
		rep.Phases = append(rep.Phases, pr)
		rep.Total.PW += pr.PW
		rep.Total.Q1Var += pr.Q1Var
		rep.Total.SVA += pr.SVA
	}
	return rep
}

func sq(x float64) float64 { return x * x }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
