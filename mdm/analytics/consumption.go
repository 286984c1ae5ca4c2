package analytics

import (
	"context"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Readings is what analytics reads from the readings store.
type Readings interface {
	Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error)
	Aggregate(ctx context.Context, q store.AggregateQuery) ([]store.Bucket, error)
}

// Unknown marks a month whose consumption the readings do not give.
const Unknown int64 = -1

// MonthlyConsumption returns, per meter, the energy of each calendar month
// of loc from the month holding from up to the one holding to: the
// difference between the register's first reading in a month and in the
// next (one aggregate query over all meters, read from block headers).
// A month without readings in it or in the next is Unknown.
func MonthlyConsumption(ctx context.Context, st Readings, meters []store.MeterID, ch store.Channel, from, to time.Time, loc *time.Location) (map[store.MeterID][]int64, error) {
	starts := monthStarts(from, to, loc)
	out := make(map[store.MeterID][]int64, len(meters))
	if len(meters) == 0 || len(starts) < 2 {
		return out, nil
	}
	// The month after the last is read for its first reading.
	q := store.AggregateQuery{Meters: meters, Channel: ch, Step: store.StepMonth, Location: loc, PerMeter: true,
		Range: store.Range{From: starts[0].UnixMilli(), To: starts[len(starts)-1].AddDate(0, 1, 0).UnixMilli()}}
	buckets, err := st.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	first := make(map[store.MeterID]map[int64]int64, len(meters))
	for _, b := range buckets {
		if first[b.Meter] == nil {
			first[b.Meter] = make(map[int64]int64)
		}
		first[b.Meter][b.Start] = b.First
	}
	for _, m := range meters {
		months := make([]int64, len(starts)-1)
		for i := range months {
			a, okA := first[m][starts[i].UnixMilli()]
			b, okB := first[m][starts[i+1].UnixMilli()]
			months[i] = Unknown
			if okA && okB && b >= a {
				months[i] = b - a
			}
		}
		out[m] = months
	}
	return out, nil
}

// monthStarts lists local month starts from the month of from to the month
// after the month of to.
func monthStarts(from, to time.Time, loc *time.Location) []time.Time {
	y, m, _ := from.In(loc).Date()
	start := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	var out []time.Time
	for t := start; !t.After(to); t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc) {
		out = append(out, t)
	}
	return append(out, time.Date(out[len(out)-1].Year(), out[len(out)-1].Month()+1, 1, 0, 0, 0, 0, loc))
}

// meanKnown is the mean of the values that are not Unknown, and how many
// there were.
func meanKnown(vs []int64) (int64, int) {
	var sum int64
	n := 0
	for _, v := range vs {
		if v != Unknown {
			sum += v
			n++
		}
	}
	if n == 0 {
		return Unknown, 0
	}
	return sum / int64(n), n
}
