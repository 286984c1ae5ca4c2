package billing

import (
	"math/rand/v2"
	"testing"
)

// shareOut keeps every tier's and every period's sum exact, and no cell
// negative or further from its proportional share than the number of
// periods, for random splits.
func TestShareOutAddsUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		cols := make([]int64, 1+rng.IntN(6))
		var total int64
		for p := range cols {
			cols[p] = rng.Int64N(1_000_000)
			total += cols[p]
		}
		rows := make([]int64, 1+rng.IntN(4))
		left := total
		for k := range rows {
			if k == len(rows)-1 {
				rows[k] = left
				break
			}
			rows[k] = rng.Int64N(left + 1)
			left -= rows[k]
		}
		cells := shareOut(rows, cols, total)
		for k, row := range cells {
			var sum int64
			for p, x := range row {
				exact := float64(rows[k]) * float64(cols[p]) / float64(max(total, 1))
				if x < 0 || float64(x) < exact-float64(len(cols)) || float64(x) > exact+float64(len(cols)) {
					t.Fatalf("rows %v cols %v: cell %d,%d = %d, share %.2f", rows, cols, k, p, x, exact)
				}
				sum += x
			}
			if sum != rows[k] {
				t.Fatalf("rows %v cols %v: tier %d sums to %d", rows, cols, k, sum)
			}
		}
		for p := range cols {
			var sum int64
			for k := range rows {
				sum += cells[k][p]
			}
			if sum != cols[p] {
				t.Fatalf("rows %v cols %v: period %d sums to %d", rows, cols, p, sum)
			}
		}
	}
}
