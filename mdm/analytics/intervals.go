package analytics

import "github.com/amigo-ami/amigo/store"

// slotEnergies returns the energy of each interval [from + i·step,
// from + (i+1)·step) of [from, to) from register readings in time order:
// the difference of the readings at its two ends, or Unknown when either is
// missing (or the register went down). estimated[i] reports whether an end
// was estimated.
func slotEnergies(regs []store.Reading, from, to, step int64, energy []int64, estimated []bool) ([]int64, []bool) {
	n := int((to - from) / step)
	energy, estimated = energy[:0], estimated[:0]
	at := make(map[int64]store.Reading, n+1)
	for _, r := range regs {
		if r.Quality&store.Missing == 0 && r.Time >= from && r.Time <= to && (r.Time-from)%step == 0 {
			at[r.Time] = r
		}
	}
	for i := range n {
		a, okA := at[from+int64(i)*step]
		b, okB := at[from+int64(i+1)*step]
		if !okA || !okB || b.Value < a.Value {
			energy, estimated = append(energy, Unknown), append(estimated, false)
			continue
		}
		est := a.Quality.Class() == store.ClassEstimated || b.Quality.Class() == store.ClassEstimated
		energy, estimated = append(energy, b.Value-a.Value), append(estimated, est)
	}
	return energy, estimated
}
