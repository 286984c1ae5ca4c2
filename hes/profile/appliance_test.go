package profile

import (
	"math"
	"testing"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
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
		{"confidence and phase beyond the packing are kept at its top", ev(axdr.Uint16(1), axdr.Enum(1), axdr.Int32(5), axdr.Uint32(0), axdr.Uint16(5000), axdr.Uint8(9)),
			meterdata.ApplianceEvent{Appliance: 1, On: true, DeltaW: 5, Confidence: 1023, Phase: 3}, true},
		{"five elements", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1))[:5], meterdata.ApplianceEvent{}, false},
		{"state 2", ev(axdr.Uint16(7), axdr.Enum(2), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"id beyond long-unsigned", ev(axdr.Uint32(70000), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"power step beyond double-long", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int64(1<<40), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"power step a string", ev(axdr.Uint16(7), axdr.Enum(1), axdr.OctetString([]byte("2200")), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
		{"negative phase", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Int8(-1)), meterdata.ApplianceEvent{}, false},
		{"a structure for the distance", ev(axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Structure(0), axdr.Uint16(930), axdr.Uint8(1)), meterdata.ApplianceEvent{}, false},
	} {
		got, err := ApplianceEvent(c.v)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v (ok %v)", c.name, got, err, c.want, c.ok)
		}
	}
}
