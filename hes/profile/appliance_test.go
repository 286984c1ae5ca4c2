package profile

import (
	"math"
	"testing"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

func TestApplianceEvent(t *testing.T) {
	ev := func(id, state, dp, dist, conf, phase axdr.Value) []axdr.Value {
		return []axdr.Value{id, state, dp, dist, conf, phase}
	}
	for _, c := range []struct {
		name string
		v    []axdr.Value
		want meterdata.ApplianceEvent
		ok   bool
	}{
		{"switched on", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)),
			meterdata.ApplianceEvent{Appliance: 7, On: true, DeltaW: 2200, Confidence: 930, Phase: 1}, true},
		{"unknown switched off, no prototype", ev(axdr.Uint16(0), axdr.Enum(0), axdr.Int32(-61), axdr.Uint32(math.MaxUint32), axdr.Uint16(0), axdr.Uint8(3)),
			meterdata.ApplianceEvent{DeltaW: -61, Phase: 3}, true},
		{"confidence beyond the packing is kept at its top", ev(axdr.Uint16(1), axdr.Enum(1), axdr.Int32(5), axdr.Uint32(0), axdr.Uint16(5000), axdr.Uint8(2)),
			meterdata.ApplianceEvent{Appliance: 1, On: true, DeltaW: 5, Confidence: 1023, Phase: 2}, true},
		{"phase 0", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(0)), meterdata.ApplianceEvent{}, false},
		{"phase 4", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(4)), meterdata.ApplianceEvent{}, false},
		{"five elements", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1))[:5], meterdata.ApplianceEvent{}, false},
		{"state 2", ev(axdr.Uint16(7), axdr.Enum(2), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"id beyond long-unsigned", ev(axdr.Uint32(70000), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"power step beyond double-long", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int64(1<<40), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"power step a string", ev(axdr.Uint16(7), axdr.Enum(1), axdr.OctetString([]byte("2200")), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"negative phase", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Int8(-1)), meterdata.ApplianceEvent{}, false},
		{"a structure for the distance", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Structure(0), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
	} {
		got, err := applianceEvent(c.v)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v (ok %v)", c.name, got, err, c.want, c.ok)
		}
	}
}

// An event's reading is at its logged time plus its phase less one
// millisecond: three phases switching in one hundredth keep three keys.
func TestApplianceReading(t *testing.T) {
	const logged = 1717394580370 // 2024-06-03 06:03:00.37 UTC
	for phase := uint8(1); phase <= 3; phase++ {
		fields := []axdr.Value{axdr.Uint16(4), axdr.Enum(1), axdr.Int32(-75), axdr.Uint32(1500), axdr.Uint16(640), axdr.Uint8(phase)}
		r, err := ApplianceReading(9, logged, store.ClockInvalid, fields)
		want := store.Reading{Meter: 9, Channel: meterdata.ApplianceLog, Time: logged + int64(phase) - 1, Quality: store.ClockInvalid,
			Value: meterdata.ApplianceEvent{Appliance: 4, On: true, DeltaW: -75, Confidence: 640, Phase: phase}.Value()}
		if err != nil || r != want {
			t.Errorf("phase %d: %v, %v; want %v", phase, r, err, want)
		}
	}
	fields := []axdr.Value{axdr.Uint16(4), axdr.Enum(1), axdr.Int32(-75), axdr.Uint32(1500), axdr.Uint16(640), axdr.Uint8(3)}
	if r, err := ApplianceReading(9, store.MaxTime, 0, fields); err == nil {
		t.Errorf("an event beyond the store's range: %v", r)
	}
}
