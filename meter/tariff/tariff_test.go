package tariff

import (
	"testing"
)

func ladder(t *testing.T) Ladder {
	t.Helper()
	var l Ladder
	for _, x := range []struct {
		upTo  uint64
		price float64
	}{{200_000, 0.10}, {400_000, 0.15}, {0, 0.25}} {
		p, err := PerKWh(x.price)
		if err != nil {
			t.Fatal(err)
		}
		l = append(l, Tier{UpTo: x.upTo, Price: p})
	}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLadderCost(t *testing.T) {
	l := ladder(t)
	for _, tc := range []struct {
		name      string
		month, wh uint64
		want      Money // nano-units
		tier      int
	}{
		{"inside tier 1", 0, 1000, 100_000_000, 1},                  // 1 kWh at 0.10
		{"crossing 1→2", 199_500, 1000, 50_000_000 + 75_000_000, 1}, // 0.5 kWh at 0.10 + 0.5 kWh at 0.15
		{"exactly at the bound", 200_000, 1000, 150_000_000, 2},
		{"crossing all", 199_000, 202_000, 100_000_000 + 30_000_000_000 + 250_000_000, 1},
		{"far in the last tier", 10_000_000, 4000, 1_000_000_000, 3},
		{"nothing", 5, 0, 0, 1},
	} {
		if got := l.Cost(tc.month, tc.wh); got != tc.want {
			t.Errorf("%s: Cost = %d, want %d", tc.name, got, tc.want)
		}
		if got := l.Tier(tc.month); got != tc.tier {
			t.Errorf("%s: Tier = %d, want %d", tc.name, got, tc.tier)
		}
	}
	// Cost is additive: pricing Wh by Wh gives the same as at once.
	var step Money
	for m := uint64(199_990); m < 400_010; m++ {
		step += l.Cost(m, 1)
	}
	if all := l.Cost(199_990, 200_020); step != all {
		t.Errorf("Wh by Wh %d, at once %d", step, all)
	}
}

func TestLadderValidate(t *testing.T) {
	for name, l := range map[string]Ladder{
		"open tier first":   {{0, 1}, {100, 1}},
		"last bounded":      {{100, 1}, {200, 1}},
		"bounds decreasing": {{200, 1}, {100, 1}, {0, 1}},
		"negative price":    {{0, -1}},
	} {
		if err := l.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if err := (Ladder{}).Validate(); err != nil {
		t.Errorf("empty ladder: %v", err)
	}
}

func TestPricingTOU(t *testing.T) {
	p := Pricing{Ladder: ladder(t), TOU: [4]Money{0, 50_000, 0, 0}} // +0.05/kWh in tariff 2
	if got := p.Cost(2, 0, 1000); got != 100_000_000+50_000_000 {
		t.Errorf("Cost = %d", got)
	}
	if got := p.UnitPrice(1, 300_000); got != 150_000 {
		t.Errorf("UnitPrice = %d", got)
	}
}

func TestMoneyScaling(t *testing.T) {
	m, _ := FromUnits(12.345)
	if got := m.Scaled(-2); got != 1234 {
		t.Errorf("12.345 in cents = %d", got)
	}
	if got := Money(-1).Scaled(-2); got != -1 {
		t.Errorf("-1 nano in cents = %d, want -1 (toward -inf)", got)
	}
	if got := FromScaled(1234, -2); got != 12_340_000_000 {
		t.Errorf("FromScaled = %d", got)
	}
	if got := Money(5e9).Scaled(0); got != 5 {
		t.Errorf("Scaled(0) = %d", got)
	}
	if got := FromScaled(5, -12); got != 0 {
		t.Errorf("FromScaled below nano = %d", got)
	}
}
