package meterdata

import (
	"encoding/binary"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

// Code is an event code of a meter's event log.
type Code uint16

// Event codes the MDM acts on (DLMS UA 1000-1 Blue Book, IDIS standard and
// fraud detection logs; meter/eventlog produces them).
const (
	PowerDown           Code = 1
	PowerUp             Code = 2
	ClockAdjustedOld    Code = 4 // the time before the clock was set
	ClockAdjustedNew    Code = 5 // the time after the clock was set
	ClockInvalid        Code = 6
	TerminalCoverOpened Code = 40
	MagneticField       Code = 42
	MeterCoverOpened    Code = 44
)

// Event logs (IDIS): where an event was recorded.
var (
	StandardLog = store.Channel{0, 0, 99, 98, 0, 255}
	FraudLog    = store.Channel{0, 0, 99, 98, 1, 255}
)

// Event is one entry of a meter's event log.
type Event struct {
	Log  store.Channel // OBIS code of the event log
	Time int64         // Unix ms, UTC
	Code Code
}

// Events is the message a head-end publishes for one event-log read or
// event notification of one meter.
type Events struct {
	Meter     store.MeterID
	Collected int64 // Unix ms when the head-end received them; 0 if unknown
	Events    []Event
}

const minEventBytes = 6 + 1 + 1

// Append appends the encoding of m to dst. It fails, appending nothing,
// if m has no events or an event time outside the store's range.
func (m *Events) Append(dst []byte) ([]byte, error) {
	switch {
	case m.Meter == 0:
		return dst, fmt.Errorf("meterdata: events message: meter id 0: %w", store.ErrInvalid)
	case m.Collected < 0 || m.Collected > store.MaxTime:
		return dst, fmt.Errorf("meterdata: events message of meter %d: collected %d: %w", m.Meter, m.Collected, store.ErrInvalid)
	case len(m.Events) == 0:
		return dst, fmt.Errorf("meterdata: events message of meter %d: no events: %w", m.Meter, store.ErrInvalid)
	}
	for i, e := range m.Events {
		if e.Time < store.MinTime || e.Time > store.MaxTime {
			return dst, fmt.Errorf("meterdata: events message of meter %d: event %d time %d: %w", m.Meter, i, e.Time, store.ErrInvalid)
		}
	}
	dst = append(dst, kindEvents, version)
	dst = binary.AppendUvarint(dst, uint64(m.Meter))
	dst = binary.AppendUvarint(dst, uint64(m.Collected))
	dst = binary.AppendUvarint(dst, uint64(len(m.Events)))
	for _, e := range m.Events {
		dst = append(dst, e.Log[:]...)
		dst = binary.AppendUvarint(dst, uint64(e.Time))
		dst = binary.AppendUvarint(dst, uint64(e.Code))
	}
	return dst, nil
}

// DecodeEvents decodes an events message into m, reusing the capacity of
// m.Events. On error m is left empty.
func DecodeEvents(src []byte, m *Events) error {
	evs := m.Events[:0]
	*m = Events{}
	d := decoder{buf: src}
	d.header(kindEvents)
	m.Meter, m.Collected = d.meterCollected()
	n := d.count("n", minEventBytes)
	for i := range n {
		var e Event
		copy(e.Log[:], d.take("log", 6))
		e.Time = d.time("time")
		at := d.off
		c := d.uvarint("code")
		if d.err == nil && c > 0xffff {
			d.off = at
			d.failf("code", "code %d > 65535", c)
		}
		e.Code = Code(c)
		if d.err != nil {
			d.within("event[%d]", i)
			break
		}
		evs = append(evs, e)
	}
	d.end()
	if d.err != nil {
		*m = Events{Events: evs[:0]}
		return fmt.Errorf("meterdata: events message: %w", d.err)
	}
	m.Events = evs
	return nil
}

// AppendReadings appends the events as the MDM stores them in the readings
// store: on the channel of their log, at their time, with the code as
// value. A log keeps one entry per millisecond, so an event at the same
// time as the one before it in the same log moves on by a millisecond (a
// meter with second resolution that logs power down and up in one second);
// the mapping depends only on the message, so a redelivered message maps
// to the same readings.
func (m *Events) AppendReadings(dst []store.Reading) []store.Reading {
	start := len(dst)
	for _, e := range m.Events {
		r := store.Reading{Meter: m.Meter, Channel: e.Log, Time: e.Time, Value: int64(e.Code)}
		for i := start; i < len(dst); i++ {
			if dst[i].Channel == r.Channel && dst[i].Time == r.Time && r.Time < store.MaxTime {
				r.Time++
				i = start - 1 // look again from the first
			}
		}
		dst = append(dst, r)
	}
	return dst
}

// EventOf returns the event a reading on an event log's channel stores.
func EventOf(r store.Reading) Event {
	return Event{Log: r.Channel, Time: r.Time, Code: Code(r.Value)}
}
