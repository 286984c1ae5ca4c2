package profile

import (
	"errors"
	"fmt"
	"math"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
)

// ApplianceFields is the number of elements of a NILM module's appliance
// event (meter/module/nilm): appliance id, state, ΔP, distance, confidence
// and phase. They are the appliance event log's columns after the clock,
// and the elements of the last appliance event's structure, which the
// module pushes.
const ApplianceFields = 6

// ApplianceEvent reads the ApplianceFields elements of an appliance event
// (long-unsigned id, enum state, double-long ΔP in W, double-long-unsigned
// distance, long-unsigned confidence ‰, unsigned phase). The distance is
// not kept; confidence and phase are kept as meterdata.ApplianceEvent
// packs them. The pull path (the event log's rows) and the push listener
// (the pushed last event) both read events here, so an event read either
// way is the same reading.
func ApplianceEvent(v []axdr.Value) (meterdata.ApplianceEvent, error) {
	if len(v) != ApplianceFields {
		return meterdata.ApplianceEvent{}, fmt.Errorf("appliance event of %d elements, want %d", len(v), ApplianceFields)
	}
	id, okID := v[0].Uint()
	state, okState := v[1].Uint()
	dp, okDP := v[2].Int()
	_, okDist := v[3].Uint()
	conf, okConf := v[4].Uint()
	phase, okPhase := v[5].Uint()
	switch {
	case !okID || id > math.MaxUint16:
		return meterdata.ApplianceEvent{}, fmt.Errorf("appliance id %s", v[0])
	case !okState || state > 1:
		return meterdata.ApplianceEvent{}, fmt.Errorf("appliance state %s", v[1])
	case !okDP || dp < math.MinInt32 || dp > math.MaxInt32:
		return meterdata.ApplianceEvent{}, fmt.Errorf("appliance power step %s", v[2])
	case !okDist || !okConf || !okPhase:
		return meterdata.ApplianceEvent{}, errors.New("appliance distance, confidence and phase must be unsigned integers")
	}
	return meterdata.ApplianceEvent{Appliance: uint16(id), On: state == 1, DeltaW: int32(dp),
		Confidence: uint16(min(conf, 1023)), Phase: uint8(min(phase, 3))}, nil
}
