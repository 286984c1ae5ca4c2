package analytics

import (
	"context"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

// SettlementStep is the settlement period of power markets: 15 minutes.
const SettlementStep = 15 * 60_000

// Point is a group's energy in one settlement period.
type Point struct {
	Start     int64 // Unix ms
	Wh        int64 // Σ over the meters that have it
	Meters    int   // meters whose register was read at both ends of the period
	Estimated int   // of those, meters with an estimated reading at an end
}

// Settlement returns a group's energy per 15-minute period of r (its ends
// on the 15-minute grid) from the meters' registers at the period
// boundaries (1-minute or 15-minute profiles alike). A period is complete
// when Meters equals the group's size; the market needs to know when it
// is not, so missing meters are counted, never guessed.
func Settlement(ctx context.Context, st Readings, meters []store.MeterID, ch store.Channel, r store.Range) ([]Point, error) {
	if r.From%SettlementStep != 0 || r.To%SettlementStep != 0 || r.From >= r.To {
		return nil, fmt.Errorf("settlement %s: range [%d, %d) not on the 15-minute grid: %w", ch, r.From, r.To, store.ErrInvalid)
	}
	n := int((r.To - r.From) / SettlementStep)
	out := make([]Point, n)
	for i := range out {
		out[i].Start = r.From + int64(i)*SettlementStep
	}
	var regs []store.Reading
	var energy []int64
	var est []bool
	for _, m := range meters {
		var err error
		regs, err = st.Scan(ctx, store.ScanQuery{Meter: m, Channel: ch, Range: store.Range{From: r.From, To: r.To + 1}}, regs[:0])
		if err != nil {
			return nil, fmt.Errorf("settlement meter %d: %w", m, err)
		}
		energy, est = slotEnergies(regs, r.From, r.To, SettlementStep, energy, est)
		for i, e := range energy {
			if e == Unknown {
				continue
			}
			out[i].Wh += e
			out[i].Meters++
			if est[i] {
				out[i].Estimated++
			}
		}
	}
	return out, nil
}
