package push

import (
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
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
		case isRegister(o):
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

func isRegister(o cosem.CaptureObject) bool {
	return (o.Class == cosem.ClassRegister || o.Class == cosem.ClassExtendedRegister || o.Class == cosem.ClassDemandRegister) && o.Attribute == 2
}

// isEventCode reports the event code Data object of an event log
// (0.0.96.11.e.255).
func isEventCode(o cosem.CaptureObject) bool {
	return o.Class == cosem.ClassData && o.Attribute == 2 && o.Name[2] == 96 && o.Name[3] == 11
}

// eventLogOf names the event log whose code object is 0.0.96.11.e.255.
func eventLogOf(code cosem.OBIS) store.Channel { return store.Channel{0, 0, 99, 98, code[4], 255} }

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
			if t, q, err = dateTimeMillis(body[i]); err != nil {
				return fmt.Errorf("%w %s: clock: %v", ErrBody, l.Name, err)
			}
		}
		i = axdr.Next(body, i)
	}
	i = 1
	for _, e := range l.Elements {
		v := body[i]
		switch o := e.Object; {
		case isRegister(o):
			x, ok := v.Int()
			if !ok {
				return fmt.Errorf("%w %s: %s is %s, not an integer", ErrBody, l.Name, o.Name, v.Tag)
			}
			out.readings = append(out.readings, store.Reading{Meter: meter, Channel: store.Channel(o.Name), Time: t, Value: x, Quality: q})
		case o.Class == cosem.ClassProfileGeneric && o.Attribute == 2:
			if err := decodeRows(meter, o.Name, e.Columns, body[i:axdr.Next(body, i)], out); err != nil {
				return fmt.Errorf("%w %s: %s: %v", ErrBody, l.Name, o.Name, err)
			}
		case isEventCode(o):
			if c, ok := v.Uint(); ok && c <= 0xFFFF {
				out.events = append(out.events, meterdata.Event{Log: eventLogOf(o.Name), Time: t, Code: meterdata.Code(c)})
			}
		}
		i = axdr.Next(body, i)
	}
	return nil
}

// decodeRows reads a profile buffer (array of structure rows) whose
// columns are cols: readings for register columns timed by the clock
// column, or events for an event log (clock and event code columns).
func decodeRows(meter store.MeterID, name cosem.OBIS, cols []cosem.CaptureObject, v []axdr.Value, out *decoded) error {
	if len(v) == 0 || v[0].Tag != axdr.TagArray {
		return errors.New("buffer is not an array")
	}
	clockCol := -1
	for k, c := range cols {
		if c == clockObject {
			clockCol = k
		}
	}
	if clockCol < 0 {
		return errors.New("buffer has no clock column")
	}
	i := 1
	for range v[0].N {
		if i < 0 || i >= len(v) || v[i].Tag != axdr.TagStructure || v[i].N != len(cols) {
			return fmt.Errorf("row is not a structure of %d", len(cols))
		}
		row := i + 1
		cells := row
		for k := 0; k < clockCol; k++ {
			cells = axdr.Next(v, cells)
		}
		if cells < 0 || cells >= len(v) {
			return errors.New("row ends early")
		}
		t, q, err := dateTimeMillis(v[cells])
		if err != nil {
			return err
		}
		c := row
		for _, col := range cols {
			if c < 0 || c >= len(v) {
				return errors.New("row ends early")
			}
			switch {
			case isRegister(col):
				x, ok := v[c].Int()
				if !ok {
					return fmt.Errorf("%s is %s, not an integer", col.Name, v[c].Tag)
				}
				out.readings = append(out.readings, store.Reading{Meter: meter, Channel: store.Channel(col.Name), Time: t, Value: x, Quality: q})
			case isEventCode(col):
				if x, ok := v[c].Uint(); ok && x <= 0xFFFF {
					out.events = append(out.events, meterdata.Event{Log: store.Channel(name), Time: t, Code: meterdata.Code(x)})
				}
			}
			c = axdr.Next(v, c)
		}
		i = axdr.Next(v, i)
	}
	return nil
}

// decodeEvent reads an EventNotification: an event code object's value is
// an event of its log; a register's value a reading.
func decodeEvent(meter store.MeterID, n *dlms.EventNotification, stamp int64, out *decoded) error {
	t, q := stamp, store.Quality(0)
	if len(n.Time) > 0 {
		var err error
		if t, q, err = dateTimeMillis(axdr.OctetString(n.Time)); err != nil {
			return fmt.Errorf("%w: event time: %v", ErrBody, err)
		}
	}
	o := cosem.CaptureObject{Class: cosem.ClassID(n.Attribute.ClassID), Name: cosem.OBIS(n.Attribute.Instance), Attribute: n.Attribute.Attribute}
	if len(n.Value) == 0 {
		return fmt.Errorf("%w: event notification without a value", ErrBody)
	}
	switch {
	case isEventCode(o):
		c, ok := n.Value[0].Uint()
		if !ok || c > 0xFFFF {
			return fmt.Errorf("%w: event code %s", ErrBody, n.Value[0])
		}
		out.events = append(out.events, meterdata.Event{Log: eventLogOf(o.Name), Time: t, Code: meterdata.Code(c)})
	case isRegister(o):
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

// dateTimeMillis converts a COSEM date-time (octet-string(12) or
// date-time) to Unix ms without allocating, and flags an invalid or
// doubtful clock.
func dateTimeMillis(v axdr.Value) (int64, store.Quality, error) {
	b := v.Bytes
	if (v.Tag != axdr.TagOctetString && v.Tag != axdr.TagDateTime) || len(b) != axdr.DateTimeSize {
		return 0, 0, fmt.Errorf("%s is not a date-time", v.Tag)
	}
	year := int(b[0])<<8 | int(b[1])
	month, day, hour, minute, sec, hs := int(b[2]), int(b[3]), int(b[5]), int(b[6]), int(b[7]), int(b[8])
	dev := int16(uint16(b[9])<<8 | uint16(b[10]))
	status := axdr.ClockStatus(b[11])
	if year == 0xFFFF || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return 0, 0, errors.New("date-time not fully specified")
	}
	if hs == 0xFF {
		hs = 0
	} else if hs > 99 {
		return 0, 0, errors.New("date-time hundredths out of range")
	}
	ms := time.Date(year, time.Month(month), day, hour, minute, sec, hs*10_000_000, time.UTC).UnixMilli()
	if dev != axdr.DeviationNotSpecified {
		if dev < -720 || dev > 840 {
			return 0, 0, errors.New("date-time deviation out of range")
		}
		ms += int64(dev) * 60_000 // UTC = local + deviation
	}
	if ms < store.MinTime || ms > store.MaxTime {
		return 0, 0, errors.New("date-time outside the store's range")
	}
	var q store.Quality
	if status != axdr.StatusNotSpecified && status&(axdr.StatusInvalid|axdr.StatusDoubtful) != 0 {
		q |= store.ClockInvalid
	}
	return ms, q, nil
}
