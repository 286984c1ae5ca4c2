package nilm

import (
	"context"
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/objects"
)

// Logical names of the module's objects: manufacturer-specific, value
// group B = 128 (IEC 62056-6-1 §7.3.3), the other groups as in the
// standard objects they resemble.
var (
	EventLogLN        = [6]byte{0, 128, 99, 98, 0, 255} // IC 7: the appliance event log
	LastEventLN       = [6]byte{0, 128, 96, 11, 0, 255} // IC 1: the last appliance event (the log's columns)
	AppliancesLN      = [6]byte{0, 128, 96, 12, 0, 255} // IC 1: per appliance id, label, state, power, energy
	LibraryLN         = [6]byte{0, 128, 0, 2, 0, 255}   // IC 1: the active feature library and the last update's outcome
	LibraryTransferLN = [6]byte{0, 128, 44, 0, 0, 255}  // IC 18: remote update of the feature library
	PushSetupLN       = [6]byte{0, 128, 25, 9, 0, 255}  // IC 40: appliance events pushed as they happen
)

// eventFields are the elements of the last event's structure, which are
// also the log's columns after the time (data_index 1…6).
const eventFields = 6

// logColumns are the event log's capture objects: the clock's time, then
// the elements of the last event.
var logColumns = func() []cosem.CaptureObject {
	cols := []cosem.CaptureObject{cosem.ClockTime}
	for k := range eventFields {
		cols = append(cols, cosem.CaptureObject{Class: cosem.ClassData, Name: LastEventLN, Attribute: 2, DataIndex: uint16(k + 1)})
	}
	return cols
}()

// eventValues are an event's elements in the layout of doc.go: appliance
// id, state, ΔP in W, distance in thousandths, confidence in
// thousandths, phase.
func eventValues(e *Event) []axdr.Value {
	state := uint8(0)
	if e.On {
		state = 1
	}
	dist := uint32(math.MaxUint32)
	if e.Distance*1000 < math.MaxUint32 {
		dist = uint32(math.Round(e.Distance * 1000))
	}
	dp := math.Round(min(max(e.DeltaW, math.MinInt32), math.MaxInt32))
	return []axdr.Value{axdr.Uint16(e.Appliance), axdr.Enum(state), axdr.Int32(int32(dp)), axdr.Uint32(dist),
		axdr.Uint16(uint16(math.Round(e.Confidence * 1000))), axdr.Uint8(uint8(e.Phase))}
}

// appendEvent appends the last event's structure.
func appendEvent(dst []byte, e *Event) []byte {
	out, _ := axdr.Append(dst, append([]axdr.Value{axdr.Structure(eventFields)}, eventValues(e)...)) // scalars: cannot fail
	return out
}

// Objects returns the module's COSEM objects for the meter's tree
// (objects.Tree.Add), with their access levels: the library's
// identification for every client, the rest for the reader and the
// management client, who alone may update the library.
func (mod *Module) Objects() []objects.Extra {
	out := []objects.Extra{
		{Object: mod.buffer, Access: objects.Metered},
		{Object: cosem.NewDataFunc(LastEventLN, mod.appendLastEvent), Access: objects.Metered},
		{Object: cosem.NewDataFunc(AppliancesLN, mod.appendAppliances), Access: objects.Metered},
		{Object: cosem.NewDataFunc(LibraryLN, mod.appendLibrary), Access: objects.PublicRead},
		objects.ImageTransfer(LibraryTransferLN, libraryImages{mod}),
	}
	if mod.pusher != nil {
		out = append(out, objects.PushSetup(mod.pusher.setups[0]))
	}
	return out
}

func (mod *Module) appendLastEvent(_ context.Context, dst []byte) ([]byte, error) {
	mod.mu.Lock()
	defer mod.mu.Unlock()
	if len(mod.events) == 0 {
		return axdr.AppendNull(dst), nil
	}
	return appendEvent(dst, &mod.events[len(mod.events)-1]), nil
}

func (mod *Module) appendAppliances(_ context.Context, dst []byte) ([]byte, error) {
	apps := mod.Appliances()
	dst = axdr.AppendArray(dst, len(apps))
	for _, a := range apps {
		dst = axdr.AppendStructure(dst, 6)
		dst = axdr.AppendUint16(dst, a.ID)
		dst = axdr.AppendUTF8String(dst, a.Label)
		dst = axdr.AppendBool(dst, a.On)
		dst = axdr.AppendInt32(dst, int32(math.Round(min(a.PowerW, math.MaxInt32))))
		dst = axdr.AppendUint64(dst, uint64(math.Round(a.EnergyWh*1000)))
		dst = axdr.AppendUint32(dst, uint32(a.Switches))
	}
	return dst, nil
}

func (mod *Module) appendLibrary(_ context.Context, dst []byte) ([]byte, error) {
	l := mod.Library()
	dst = axdr.AppendStructure(dst, 4)
	dst = axdr.AppendUint32(dst, l.Version)
	if !l.Installed {
		dst = axdr.AppendOctetString(dst, nil)
	} else {
		dst = axdr.AppendOctetString(dst, l.SHA256[:])
	}
	dst = axdr.AppendUint8(dst, uint8(l.Appliances))
	return axdr.AppendEnum(dst, uint8(l.LastUpdate)), nil
}
