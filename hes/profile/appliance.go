package profile

import (
	"errors"
	"fmt"
	"math"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// ApplianceFields is the number of elements of a NILM module's appliance
// event (meter/module/nilm): appliance id, state, ΔP, distance, confidence
// and phase. They are the appliance event log's columns after the clock,
// and the elements of the last appliance event's structure, which the
// module pushes.
const ApplianceFields = 6

// ApplianceReading is the reading of an appliance event of meter, of the
// ApplianceFields elements fields, that its module logged at clock time
// logged (Unix ms, of quality q): on meterdata.ApplianceLog, the event
// packed in the value, at logged plus the event's phase less one
// millisecond. The module logs in hundredths of a second, so events of
// different phases in the same hundredth keep keys of their own (one
// phase's events are cycles apart). The pull path (the event log's rows)
// and the push listener (the pushed last event) both make their readings
// here, so an event pushed alone and read with the rest of the log is the
// same reading.
func ApplianceReading(meter store.MeterID, logged int64, q store.Quality, fields []axdr.Value) (store.Reading, error) {
	e, err := applianceEvent(fields)
	if err != nil {
		return store.Reading{}, err
	}
	t := logged + int64(e.Phase) - 1
	if t < store.MinTime || t > store.MaxTime {
		return store.Reading{}, errors.New("appliance event time outside the store's range")
	}
	return store.Reading{Meter: meter, Channel: meterdata.ApplianceLog, Time: t, Value: e.Value(), Quality: q}, nil
}

// applianceEvent reads the ApplianceFields elements of an appliance event
// (long-unsigned id, enum state, double-long ΔP in W, double-long-unsigned
// distance, long-unsigned confidence ‰, unsigned phase 1…3). The distance
// is not kept; confidence is kept as meterdata.ApplianceEvent packs it.
func applianceEvent(v []axdr.Value) (meterdata.ApplianceEvent, error) {
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
	case !okPhase || phase < 1 || phase > 3:
		return meterdata.ApplianceEvent{}, fmt.Errorf("appliance phase %s", v[5])
	case !okDist || !okConf:
		return meterdata.ApplianceEvent{}, errors.New("appliance distance and confidence must be unsigned integers")
	}
	return meterdata.ApplianceEvent{Appliance: uint16(id), On: state == 1, DeltaW: int32(dp),
		Confidence: uint16(min(conf, 1023)), Phase: uint8(phase)}, nil
}
