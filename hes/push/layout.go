package push

import (
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// ErrBody is wrapped by errors about a push body that does not fit its
// layout.
var ErrBody = errors.New("push: body does not fit its layout")

// Element is one entry of a push_object_list, and for a profile's buffer
// the capture objects of its rows.
type Element struct {
	Object  cosem.CaptureObject
	Columns []cosem.CaptureObject // IC 7 buffers only
}

// Layout is what a push setup sends: its logical name and its
// push_object_list. The head-end writes the list to the meter (a push
// setup job) and decodes pushes with it.
type Layout struct {
	Name     cosem.OBIS
	Elements []Element
}

// Objects the default layout names.
var (
	PushSetupName = cosem.OBIS{0, 0, 25, 9, 0, 255}
	clockObject   = cosem.CaptureObject{Class: cosem.ClassClock, Name: cosem.OBIS{0, 0, 1, 0, 0, 255}, Attribute: 2}
)

// DefaultLayout is the amigo meter's interval push (push setup
// 0.0.25.9.0.255): the push setup's own logical name (which tells the
// head-end the layout), the clock, and the energy registers A+, A−, R+, R−
// (ARCHITECTURE §4), each read at the clock's time.
func DefaultLayout() Layout {
	reg := func(c store.Channel) Element {
		return Element{Object: cosem.CaptureObject{Class: cosem.ClassRegister, Name: cosem.OBIS(c), Attribute: 2}}
	}
	return Layout{Name: PushSetupName, Elements: []Element{
		{Object: cosem.CaptureObject{Class: cosem.ClassPushSetup, Name: PushSetupName, Attribute: 1}},
		{Object: clockObject},
		reg(store.ActiveImport), reg(store.ActiveExport), reg(store.ReactiveImport), reg(store.ReactiveExport),
	}}
}

// Objects of the event pushes: the standard and the fraud (tamper) event
// code objects, whose value is the code of the event that caused the push.
var (
	EventPushSetupName  = cosem.OBIS{0, 0, 25, 9, 1, 255}
	TamperPushSetupName = cosem.OBIS{0, 0, 25, 9, 2, 255}
	standardEventCode   = cosem.CaptureObject{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 96, 11, 0, 255}, Attribute: 2}
	tamperEventCode     = cosem.CaptureObject{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 96, 11, 1, 255}, Attribute: 2}
)

// EventLayout is the amigo meter's event push, its last gasp among them
// (push setup 0.0.25.9.1.255): the push setup's logical name, the clock and
// the standard event code.
func EventLayout() Layout { return eventLayout(EventPushSetupName, standardEventCode) }

// TamperLayout is the amigo meter's tamper push (push setup
// 0.0.25.9.2.255): the push setup's logical name, the clock and the fraud
// event code.
func TamperLayout() Layout { return eventLayout(TamperPushSetupName, tamperEventCode) }

func eventLayout(name cosem.OBIS, code cosem.CaptureObject) Layout {
	return Layout{Name: name, Elements: []Element{
		{Object: cosem.CaptureObject{Class: cosem.ClassPushSetup, Name: name, Attribute: 1}},
		{Object: clockObject},
		{Object: code},
	}}
}

// Objects of the appliance-event push of a waveform meter's NILM module
// (meter/module/nilm): its push setup and the last appliance event, a
// structure of profile.ApplianceFields elements.
var (
	AppliancePushSetupName = cosem.OBIS{0, 128, 25, 9, 0, 255}
	ApplianceEventObject   = cosem.CaptureObject{Class: cosem.ClassData, Name: cosem.OBIS{0, 128, 96, 11, 0, 255}, Attribute: 2}
	logicalDeviceName      = cosem.CaptureObject{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 42, 0, 0, 255}, Attribute: 2}
)

// ApplianceLayout is the NILM module's push of each appliance event as it
// happens (push setup 0.128.25.9.0.255): the push setup's logical name,
// the logical device name, the clock (the event's time) and the last
// appliance event. The event becomes the reading on
// meterdata.ApplianceLog that the head-end's read of the module's event
// log makes of the same event (profile.ApplianceReading, timed by the
// clock element), so a pushed event read again is stored once.
func ApplianceLayout() Layout {
	return Layout{Name: AppliancePushSetupName, Elements: []Element{
		{Object: cosem.CaptureObject{Class: cosem.ClassPushSetup, Name: AppliancePushSetupName, Attribute: 1}},
		{Object: logicalDeviceName},
		{Object: clockObject},
		{Object: ApplianceEventObject},
	}}
}

// AppendBody appends the A-XDR push body of l with the given register
// values (one per register element, in order) at t: what a meter sends,
// for simulators and tests.
func (l Layout) AppendBody(dst []byte, t time.Time, values []int64) ([]byte, error) {
	dst = axdr.AppendStructure(dst, len(l.Elements))
	k := 0
	for _, e := range l.Elements {
		o := e.Object
		switch {
		case o.Class == cosem.ClassPushSetup && o.Attribute == 1:
			dst = axdr.AppendOctetString(dst, o.Name[:])
		case o.Class == cosem.ClassClock && o.Attribute == 2:
			dst = axdr.AppendOctetString(dst, axdr.FromTime(t).Append(make([]byte, 0, 12)))
		case profile.IsRegister(o):
			if k >= len(values) {
				return dst, fmt.Errorf("push: layout %s has more registers than the %d values", l.Name, len(values))
			}
			dst = axdr.AppendUint64(dst, uint64(values[k]))
			k++
		default:
			return dst, fmt.Errorf("push: AppendBody cannot fill %s/%d", o.Name, o.Attribute)
		}
	}
	return dst, nil
}

// decoded is what one push carries, in reused slices.
type decoded struct {
	readings []store.Reading
	events   []meterdata.Event
}

func (d *decoded) reset() { d.readings, d.events = d.readings[:0], d.events[:0] }

// decodeData reads a DataNotification body laid out as l: readings and
// events of meter, timed by the layout's clock element, else by the
// notification's date-time, else by when (Unix ms).
func (l *Layout) decodeData(meter store.MeterID, body []axdr.Value, stamp int64, out *decoded) error {
	if len(body) == 0 || body[0].Tag != axdr.TagStructure || body[0].N != len(l.Elements) {
		return fmt.Errorf("%w %s: want a structure of %d elements", ErrBody, l.Name, len(l.Elements))
	}
	// First the clock, wherever it is in the list.
	t, q := stamp, store.Quality(0)
	i := 1
	for _, e := range l.Elements {
		if i < 0 || i >= len(body) {
			return fmt.Errorf("%w %s: body ends early", ErrBody, l.Name)
		}
		if e.Object == clockObject {
			var err error
			if t, q, err = profile.DateTimeMillis(body[i]); err != nil {
				return fmt.Errorf("%w %s: clock: %v", ErrBody, l.Name, err)
			}
		}
		i = axdr.Next(body, i)
	}
	i = 1
	for _, e := range l.Elements {
		v := body[i]
		switch o := e.Object; {
		case profile.IsRegister(o):
			x, ok := v.Int()
			if !ok {
				return fmt.Errorf("%w %s: %s is %s, not an integer", ErrBody, l.Name, o.Name, v.Tag)
			}
			out.readings = append(out.readings, store.Reading{Meter: meter, Channel: store.Channel(o.Name), Time: t, Value: x, Quality: q})
		case o == ApplianceEventObject: // before IsEventCode, whose name pattern it shares
			if v.Tag != axdr.TagStructure || v.N != profile.ApplianceFields || i+v.N >= len(body) {
				return fmt.Errorf("%w %s: appliance event is %s, not a structure of %d", ErrBody, l.Name, v.Tag, profile.ApplianceFields)
			}
			r, err := profile.ApplianceReading(meter, t, q, body[i+1:i+1+v.N])
			if err != nil {
				return fmt.Errorf("%w %s: %v", ErrBody, l.Name, err)
			}
			out.readings = append(out.readings, r)
		case o.Class == cosem.ClassProfileGeneric && o.Attribute == 2:
			var err error
			if out.readings, out.events, err = profile.Rows(meter, o.Name, e.Columns, body[i:axdr.Next(body, i)], out.readings, out.events); err != nil {
				return fmt.Errorf("%w %s: %s: %v", ErrBody, l.Name, o.Name, err)
			}
		case profile.IsEventCode(o):
			if c, ok := v.Uint(); ok && c <= 0xFFFF {
				out.events = append(out.events, meterdata.Event{Log: profile.EventLogOf(o.Name), Time: t, Code: meterdata.Code(c)})
			}
		}
		i = axdr.Next(body, i)
	}
	return nil
}

// decodeEvent reads an EventNotification: an event code object's value is
// an event of its log; a register's value a reading.
func decodeEvent(meter store.MeterID, n *dlms.EventNotification, stamp int64, out *decoded) error {
	t, q := stamp, store.Quality(0)
	if len(n.Time) > 0 {
		var err error
		if t, q, err = profile.DateTimeMillis(axdr.OctetString(n.Time)); err != nil {
			return fmt.Errorf("%w: event time: %v", ErrBody, err)
		}
	}
	o := cosem.CaptureObject{Class: cosem.ClassID(n.Attribute.ClassID), Name: cosem.OBIS(n.Attribute.Instance), Attribute: n.Attribute.Attribute}
	if len(n.Value) == 0 {
		return fmt.Errorf("%w: event notification without a value", ErrBody)
	}
	switch {
	case profile.IsEventCode(o):
		c, ok := n.Value[0].Uint()
		if !ok || c > 0xFFFF {
			return fmt.Errorf("%w: event code %s", ErrBody, n.Value[0])
		}
		out.events = append(out.events, meterdata.Event{Log: profile.EventLogOf(o.Name), Time: t, Code: meterdata.Code(c)})
	case profile.IsRegister(o):
		x, ok := n.Value[0].Int()
		if !ok {
			return fmt.Errorf("%w: %s is %s, not an integer", ErrBody, o.Name, n.Value[0].Tag)
		}
		out.readings = append(out.readings, store.Reading{Meter: meter, Channel: store.Channel(o.Name), Time: t, Value: x, Quality: q})
	default:
		return fmt.Errorf("%w: event notification of %s/%d is not an event code or register", ErrBody, o.Name, o.Attribute)
	}
	return nil
}
