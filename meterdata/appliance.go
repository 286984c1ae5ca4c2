package meterdata

import "github.com/amigo-ami/amigo/store"

// ApplianceLog is the channel appliance events are stored on: the NILM
// module's appliance event log (meter/module/nilm, 0.128.99.98.0.255). The
// head-end publishes each event, pushed or read, as a reading at the
// event's time (plus its phase less one millisecond: see the package
// documentation) whose value is the packed ApplianceEvent.
var ApplianceLog = store.Channel{0, 128, 99, 98, 0, 255}

// ApplianceEvent is one appliance switching a meter's NILM module
// recognised (a row of its appliance event log).
type ApplianceEvent struct {
	Appliance  uint16 // id in the meter's appliance table; 0 unknown
	On         bool   // switched on (else off)
	DeltaW     int32  // active power step, W (after − before)
	Confidence uint16 // ‰, 0…1000 (larger values are kept as 1023)
	Phase      uint8  // 1…3 (larger values are kept as 3)
}

// An ApplianceEvent packed in a reading's value (a non-negative int64):
//
//	bits 0–31   ΔP, int32 two's complement
//	bits 32–41  confidence ‰ (10 bits)
//	bits 42–43  phase
//	bit  44     on
//	bits 45–60  appliance id
const (
	confShift  = 32
	phaseShift = 42
	onShift    = 44
	idShift    = 45
)

// Value packs e into a reading's value.
func (e ApplianceEvent) Value() int64 {
	v := int64(uint32(e.DeltaW)) | int64(min(e.Confidence, 1023))<<confShift | int64(min(e.Phase, 3))<<phaseShift | int64(e.Appliance)<<idShift
	if e.On {
		v |= 1 << onShift
	}
	return v
}

// ApplianceEventOf unpacks a reading's value; any value unpacks (bits
// beyond the layout are ignored).
func ApplianceEventOf(v int64) ApplianceEvent {
	return ApplianceEvent{
		DeltaW:     int32(uint32(v)),
		Confidence: uint16(v >> confShift & 1023),
		Phase:      uint8(v >> phaseShift & 3),
		On:         v>>onShift&1 == 1,
		Appliance:  uint16(v >> idShift & 0xFFFF),
	}
}
