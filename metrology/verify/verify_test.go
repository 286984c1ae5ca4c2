package verify

import (
	"context"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/metrology"
)

// TestMatrix runs every point of ARCHITECTURE §6 as its own test.
func TestMatrix(t *testing.T) {
	cs, err := Matrix("0.2S")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cs {
		seen[c.ID] = true
		t.Run(c.ID+"/"+c.Condition, func(t *testing.T) {
			t.Parallel()
			p, err := c.Run(Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !p.Pass {
				t.Errorf("%s %s, %s: error %.4g %s, budget %g", p.ID, p.Test, p.Condition, p.Error, p.Unit, p.Budget)
			}
		})
	}
	for _, id := range []string{"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "R1", "F1", "H1", "Z1"} {
		if !seen[id] {
			t.Errorf("matrix has no %s point", id)
		}
	}
}

// The matrix catches a meter that is 0.05 % off: every A1 point fails.
func TestMatrixCatchesGainError(t *testing.T) {
	cal := metrology.UnityCalibration()
	for p := range 3 {
		cal.I[p].Gain = 1.0005
	}
	cs, _ := Matrix("")
	for _, c := range cs {
		if c.ID != "A1" {
			continue
		}
		p, err := c.Run(Options{Calibration: &cal})
		if err != nil {
			t.Fatal(err)
		}
		if p.Pass || p.Error < 0.045 || p.Error > 0.055 {
			t.Errorf("%s %s with +0.05 %% gain: error %.4g %%, pass %v", p.ID, p.Condition, p.Error, p.Pass)
		}
	}
}

// Without the no-load threshold the A10 condition does register: the
// point tests the anti-creep logic, not an idle signal.
func TestNoLoadConditionWouldCreep(t *testing.T) {
	m := &meter{}
	core, _, err := m.run(noLoadSignal(), 5, metrology.Config{Energy: metrology.EnergyConfig{NoLoadCurrent: 1e-9}})
	if err != nil {
		t.Fatal(err)
	}
	if magnitude(core.View().Registers()) == 0 {
		t.Error("no energy even without the no-load threshold")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	points, err := Run(ctx, Options{})
	if !errors.Is(err, context.Canceled) || len(points) != 0 {
		t.Errorf("Run on a cancelled context: %d points, %v", len(points), err)
	}
	if _, err := Run(context.Background(), Options{Class: "1"}); err == nil {
		t.Error("class 1 accepted without budgets")
	}
}
