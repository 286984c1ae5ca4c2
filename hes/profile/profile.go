package profile

import (
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// ClockTime is the capture object of the clock's time.
var ClockTime = cosem.ClockTime

// IsRegister reports a register's value attribute (IC 3, 4, 5 attribute 2).
func IsRegister(o cosem.CaptureObject) bool {
	return (o.Class == cosem.ClassRegister || o.Class == cosem.ClassExtendedRegister || o.Class == cosem.ClassDemandRegister) && o.Attribute == 2
}

// IsEventCode reports the event code Data object of an event log
// (0.0.96.11.e.255, attribute 2).
func IsEventCode(o cosem.CaptureObject) bool {
	return o.Class == cosem.ClassData && o.Attribute == 2 && o.Name[2] == 96 && o.Name[3] == 11
}

// EventLogOf names the event log whose code object is 0.0.96.11.e.255.
func EventLogOf(code cosem.OBIS) store.Channel { return store.Channel{0, 0, 99, 98, code[4], 255} }

// Rows appends the readings and events of a profile buffer v (array of
// structure rows) whose columns are cols: a reading per register column,
// timed by the clock column; an event per event code column, in log name.
func Rows(meter store.MeterID, name cosem.OBIS, cols []cosem.CaptureObject, v []axdr.Value,
	rs []store.Reading, es []meterdata.Event) ([]store.Reading, []meterdata.Event, error) {
	if len(v) == 0 || v[0].Tag != axdr.TagArray {
		return rs, es, errors.New("buffer is not an array")
	}
	clockCol := -1
	for k, c := range cols {
		if c == ClockTime {
			clockCol = k
		}
	}
	if clockCol < 0 {
		return rs, es, errors.New("buffer has no clock column")
	}
	i := 1
	for range v[0].N {
		if i < 0 || i >= len(v) || v[i].Tag != axdr.TagStructure || v[i].N != len(cols) {
			return rs, es, fmt.Errorf("row is not a structure of %d", len(cols))
		}
		row := i + 1
		cell := row
		for k := 0; k < clockCol && cell >= 0; k++ {
			cell = axdr.Next(v, cell)
		}
		if cell < 0 || cell >= len(v) {
			return rs, es, errors.New("row ends early")
		}
		t, q, err := DateTimeMillis(v[cell])
		if err != nil {
			return rs, es, err
		}
		c := row
		for _, col := range cols {
			if c < 0 || c >= len(v) {
				return rs, es, errors.New("row ends early")
			}
			switch {
			case IsRegister(col):
				x, ok := v[c].Int()
				if !ok {
					return rs, es, fmt.Errorf("%s is %s, not an integer", col.Name, v[c].Tag)
				}
				rs = append(rs, store.Reading{Meter: meter, Channel: store.Channel(col.Name), Time: t, Value: x, Quality: q})
			case IsEventCode(col):
				if x, ok := v[c].Uint(); ok && x <= 0xFFFF {
					es = append(es, meterdata.Event{Log: store.Channel(name), Time: t, Code: meterdata.Code(x)})
				}
			}
			c = axdr.Next(v, c)
		}
		i = axdr.Next(v, i)
	}
	return rs, es, nil
}

// DateTimeMillis converts a COSEM date-time (octet-string(12) or
// date-time) to Unix ms without allocating, and flags an invalid or
// doubtful clock (store.ClockInvalid).
func DateTimeMillis(v axdr.Value) (int64, store.Quality, error) {
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
