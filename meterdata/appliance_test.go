package meterdata

import (
	"math"
	"testing"
)

func TestApplianceEventPacking(t *testing.T) {
	for _, e := range []ApplianceEvent{
		{},
		{Appliance: 7, On: true, DeltaW: 2200, Confidence: 930, Phase: 1},
		{Appliance: 7, DeltaW: -2180, Confidence: 1000, Phase: 1},
		{Appliance: math.MaxUint16, On: true, DeltaW: math.MinInt32, Confidence: 1023, Phase: 3},
		{Appliance: 1, DeltaW: math.MaxInt32, Phase: 2},
	} {
		v := e.Value()
		if v < 0 {
			t.Errorf("%+v packs negative: %d", e, v)
		}
		if got := ApplianceEventOf(v); got != e {
			t.Errorf("%+v → %#x → %+v", e, v, got)
		}
	}
	// Out-of-range fields are clamped, not spilled into their neighbours.
	if got := ApplianceEventOf((ApplianceEvent{Confidence: 5000, Phase: 9, Appliance: 3}).Value()); got != (ApplianceEvent{Confidence: 1023, Phase: 3, Appliance: 3}) {
		t.Errorf("clamped: %+v", got)
	}
}

// FuzzApplianceEvent: any value unpacks, and what unpacks packs back to
// the same bits of the layout.
func FuzzApplianceEvent(f *testing.F) {
	f.Add(int64(0))
	f.Add((ApplianceEvent{Appliance: 7, On: true, DeltaW: -2180, Confidence: 930, Phase: 1}).Value())
	f.Add(int64(-1))
	f.Fuzz(func(t *testing.T, v int64) {
		e := ApplianceEventOf(v)
		if got := e.Value(); got != v&(1<<61-1) {
			t.Errorf("%#x → %+v → %#x", v, e, got)
		}
	})
}
