package analytics

import (
	"errors"
	"slices"
	"testing"
)

// Published single sampling plans (ISO 2859-1:1999 Table 1 and Table 2-A,
// normal inspection, level II), as quoted in the standard's users' texts
// and in Jenkins, Peck, Fernando (PLOS 2023, Fig. 4: lots of 35 001 to
// 500 000 at levels S-3 and S-4 read the same master table at n = 20, 32,
// 50, 80 and 125).
func TestSamplingPlanPublished(t *testing.T) {
	plans := []struct {
		lot    int
		aql    string
		letter byte // code letter of the lot
		plan   byte // row the plan comes from
		n      int
		ac, re int
	}{
		{1000, "4.0", 'J', 'J', 80, 7, 8},
		{1000, "2.5", 'J', 'J', 80, 5, 6},
		{1000, "1.5", 'J', 'J', 80, 3, 4},
		{1000, "1.0", 'J', 'J', 80, 2, 3},
		{1000, "0.65", 'J', 'J', 80, 1, 2},
		{1000, "0.40", 'J', 'K', 125, 1, 2}, // ↓ to K
		{1000, "0.25", 'J', 'H', 50, 0, 1},  // ↑ to H
		{2000, "0.65", 'K', 'K', 125, 2, 3},
		{5000, "0.65", 'L', 'L', 200, 3, 4},
		{5000, "1.0", 'L', 'L', 200, 5, 6},
		{300, "1.0", 'H', 'H', 50, 1, 2},
		{100, "0.65", 'F', 'F', 20, 0, 1},
		{200, "0.65", 'G', 'F', 20, 0, 1}, // ↑ to F
		{600000, "0.010", 'Q', 'Q', 1250, 0, 1},
		{600000, "1.0", 'Q', 'Q', 1250, 21, 22},
		{600000, "2.5", 'Q', 'N', 500, 21, 22}, // ↑ ↑ from Q to N
		{600000, "4.0", 'Q', 'M', 315, 21, 22}, // ↑ ↑ ↑ from Q to M
		// Jenkins et al.: n = 80 at 0.65 → 1/2; n = 20 at 0.65 → 0/1;
		// n = 125 at 0.40 → 1/2; n = 32 at 0.40 → 0/1; n = 50 at 0.25
		// → 0/1; n = 80 at 0.15 → 0/1.
		{1000, "0.15", 'J', 'J', 80, 0, 1},
		{400, "0.25", 'H', 'H', 50, 0, 1},
		{250, "0.40", 'G', 'G', 32, 0, 1},
		{2000, "0.40", 'K', 'K', 125, 1, 2},
		// Small lots: the sample is the lot.
		{5, "0.65", 'A', 'F', 5, 0, 1},
	}
	for _, c := range plans {
		p, err := SamplingPlan(c.lot, c.aql)
		if err != nil {
			t.Errorf("lot %d AQL %s: %v", c.lot, c.aql, err)
			continue
		}
		if p.CodeLetter != c.letter || p.PlanLetter != c.plan || p.SampleSize != c.n || p.Accept != c.ac || p.Reject != c.re {
			t.Errorf("lot %d AQL %s: %c→%c n=%d Ac %d Re %d, want %c→%c n=%d Ac %d Re %d",
				c.lot, c.aql, p.CodeLetter, p.PlanLetter, p.SampleSize, p.Accept, p.Reject, c.letter, c.plan, c.n, c.ac, c.re)
		}
	}
}

// Table 1 for level II: each lot-size boundary.
func TestCodeLetters(t *testing.T) {
	bounds := []struct {
		lot    int
		letter byte
	}{{2, 'A'}, {8, 'A'}, {9, 'B'}, {15, 'B'}, {16, 'C'}, {26, 'D'}, {51, 'E'}, {91, 'F'}, {151, 'G'}, {281, 'H'},
		{501, 'J'}, {1201, 'K'}, {3201, 'L'}, {10001, 'M'}, {35001, 'N'}, {150001, 'P'}, {500000, 'P'}, {500001, 'Q'}}
	for _, b := range bounds {
		p, err := SamplingPlan(b.lot, "1.0")
		if err != nil || p.CodeLetter != b.letter {
			t.Errorf("lot %d: code letter %c, %v; want %c", b.lot, p.CodeLetter, err, b.letter)
		}
	}
}

// The master table's structure: along each column the acceptance numbers
// follow 0, 1, 2, 3, 5, 7, 10, 14, 21 down the diagonal, Re = Ac + 1, and
// every arrow leads to a plan.
func TestTable2AStructure(t *testing.T) {
	m, err := parsed()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0 1", "1 2", "2 3", "3 4", "5 6", "7 8", "10 11", "14 15", "21 22"}
	for col, aql := range m.aqls {
		var plans []string
		for row := range m.cells {
			if c := m.cells[row][col]; c != "↓" && c != "↑" {
				plans = append(plans, c)
			}
		}
		if len(plans) > len(want) || !slices.Equal(plans, want[:len(plans)]) {
			t.Errorf("AQL %s: plans down the column %q", aql, plans)
		}
		for _, lot := range []int{2, 10, 100, 1000, 100000, 1000000} {
			if _, err := SamplingPlan(lot, aql); err != nil {
				t.Errorf("AQL %s: %v", aql, err)
			}
		}
	}
	if _, err := SamplingPlan(1000, "10"); !errors.Is(err, ErrNoPlan) {
		t.Errorf("AQL 10: %v, want ErrNoPlan", err)
	}
	if _, err := SamplingPlan(1, "1.0"); !errors.Is(err, ErrNoPlan) {
		t.Errorf("lot of 1: %v, want ErrNoPlan", err)
	}
}

func TestDrawIsReproducible(t *testing.T) {
	items := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	a, b := Draw(items, 4, 42), Draw(items, 4, 42)
	if !slices.Equal(a, b) || len(a) != 4 {
		t.Errorf("draws %v and %v with one seed", a, b)
	}
	seen := map[int]bool{}
	for _, x := range a {
		if seen[x] {
			t.Errorf("draw %v repeats %d", a, x)
		}
		seen[x] = true
	}
	if c := Draw(items, 20, 1); len(c) != 10 {
		t.Errorf("drawing 20 of 10: %d items", len(c))
	}
}
