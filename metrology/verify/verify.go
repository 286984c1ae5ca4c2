package verify

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// Nominal values of the meter under test (see the package doc).
const (
	Rate = 8000.0 // samples per second per channel
	Fn   = 50.0   // Hz
	Un   = 230.0  // V
	In   = 5.0    // A
	Imax = 10.0
	Itr  = 0.05 * In
	Imin = 0.01 * In
	Ist  = 0.001 * In
)

// Point is one row of the verification table.
type Point struct {
	ID        string  `json:"id"`        // A1 … Z1, as in ARCHITECTURE §6
	Test      string  `json:"test"`      // what is tested
	Condition string  `json:"condition"` // the operating point
	Error     float64 `json:"error"`     // measured error, in Unit
	Budget    float64 `json:"budget"`    // allowed |Error| (or Error, when OneSided), in Unit
	OneSided  bool    `json:"one_sided,omitempty"`
	Unit      string  `json:"unit"`
	Pass      bool    `json:"pass"`
}

// Case is one point of the matrix, ready to run.
type Case struct {
	ID, Test, Condition string
	Budget              float64
	// OneSided cases pass for 0 < error ≤ Budget (a time ratio), the others
	// for |error| ≤ Budget.
	OneSided bool
	Unit     string
	// measure returns the signed error in Unit.
	measure func(m *meter) (float64, error)
}

// Classes lists the accuracy classes the matrix has budgets for.
func Classes() []string { return []string{"0.2S"} }

// Options tune a run. The zero value is the meter described in the package
// doc with unity calibration.
type Options struct {
	// Class selects the budgets; "" means 0.2S.
	Class string
	// Calibration, if set, is the meter's calibration (a deliberately wrong
	// one shows the matrix catching it).
	Calibration *metrology.Calibration
}

// Matrix returns the cases of a class, in table order.
func Matrix(class string) ([]Case, error) {
	if class != "" && class != "0.2S" {
		return nil, fmt.Errorf("verify: class %q: budgets exist for %v", class, Classes())
	}
	return cases(), nil
}

// Run measures every case and returns the table. It stops early, with the
// context's error, when ctx is done.
func Run(ctx context.Context, opts Options) ([]Point, error) {
	cs, err := Matrix(opts.Class)
	if err != nil {
		return nil, err
	}
	points := make([]Point, 0, len(cs))
	for _, c := range cs {
		if err := ctx.Err(); err != nil {
			return points, err
		}
		p, err := c.Run(opts)
		if err != nil {
			return points, err
		}
		points = append(points, p)
	}
	return points, nil
}

// Run measures one case.
func (c Case) Run(opts Options) (Point, error) {
	e, err := c.measure(&meter{cal: opts.Calibration})
	if err != nil {
		return Point{}, fmt.Errorf("verify %s %s: %w", c.ID, c.Condition, err)
	}
	pass := math.Abs(e) <= c.Budget
	if c.OneSided {
		pass = e > 0 && e <= c.Budget
	}
	return Point{ID: c.ID, Test: c.Test, Condition: c.Condition, Error: e, Budget: c.Budget, OneSided: c.OneSided, Unit: c.Unit, Pass: pass}, nil
}

// meter runs signals through a fresh metrology core per run.
type meter struct {
	cal *metrology.Calibration
}

// run feeds seconds of s to a new core configured by cfg and finishes it.
// It returns the core and every window's measurement.
func (m *meter) run(s *signal.Signal, seconds float64, cfg metrology.Config) (*metrology.Core, []metrology.Measurement, error) {
	var ms []metrology.Measurement
	user := cfg.OnWindow
	cfg.OnWindow = func(w metrology.Measurement) {
		ms = append(ms, w)
		if user != nil {
			user(w)
		}
	}
	core, err := m.newCore(s, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := feed(core, s, seconds); err != nil {
		return nil, nil, err
	}
	return core, ms, core.Finish()
}

// newCore makes the meter's core for s: cfg with the rate, the phases and
// the meter's calibration filled in.
func (m *meter) newCore(s *signal.Signal, cfg metrology.Config) (*metrology.Core, error) {
	cfg.Rate, cfg.Phases = s.Rate, s.Present()
	if cfg.Calibration == nil {
		cfg.Calibration = m.cal
	}
	return metrology.New(cfg)
}

// feed processes the first seconds of s.
func feed(core *metrology.Core, s *signal.Signal, seconds float64) error {
	return s.Stream(seconds, core.Process)
}

// energyError is the relative error, in %, of the active energy registered
// over seconds of a load that repeats every cycle, against P·T.
func (m *meter) energyError(s *signal.Signal, seconds float64) (float64, error) {
	core, _, err := m.run(s, seconds, metrology.Config{})
	if err != nil {
		return 0, err
	}
	r := core.View().Registers()
	got := (r.ActiveImport - r.ActiveExport).Wh()
	frames := math.Round(seconds * s.Rate)
	want := s.Truth().P * frames / s.Rate / 3600
	return 100 * (got/want - 1), nil
}

// windowEnergyError is the relative error, in %, of Σ P·duration over the
// analysed windows against the exact ∫u·i over the same span: for loads
// whose power changes from window to window.
func (m *meter) windowEnergyError(s *signal.Signal, seconds float64) (float64, error) {
	_, ms, err := m.run(s, seconds, metrology.Config{})
	if err != nil {
		return 0, err
	}
	if len(ms) < 2 {
		return 0, fmt.Errorf("only %d windows", len(ms))
	}
	// The metrology clock starts at the Unix epoch with the first sample.
	epoch := time.Unix(0, 0)
	t0 := ms[0].End.Add(-ms[0].Duration).Sub(epoch).Seconds()
	t1 := ms[len(ms)-1].End.Sub(epoch).Seconds()
	got, want := 0.0, 0.0
	for _, w := range ms {
		got += w.Total.P * w.Duration.Seconds()
	}
	for p := range 3 {
		want += s.Energy(p, t0, t1)
	}
	return 100 * (got/want - 1), nil
}
