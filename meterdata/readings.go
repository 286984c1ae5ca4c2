package meterdata

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/amigo-ami/amigo/store"
)

const (
	kindReadings byte = 'R'
	kindEvents   byte = 'E'
	version      byte = 1
)

// Source says how the head-end obtained a message's readings.
type Source uint8

// Sources of readings.
const (
	SourceUnknown  Source = iota
	SourcePush            // the meter pushed them (DataNotification)
	SourceProfile         // a profile read (GET of a profile generic buffer)
	SourceRegister        // a register read (GET of register values)
	SourceImport          // a file import
	maxSource      = SourceImport
)

var sourceNames = [...]string{"unknown", "push", "profile", "register", "import"}

func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "source(" + strconv.Itoa(int(s)) + ")"
}

// Readings is the message a head-end publishes for one push or read of
// one meter.
type Readings struct {
	Meter     store.MeterID
	Collected int64 // Unix ms when the head-end received them; 0 if unknown
	Source    Source
	// Readings all have Meter as their meter. They need not be sorted;
	// each run of one channel with increasing times becomes a group.
	Readings []store.Reading
}

// minReadingBytes is the least a reading after a group's first takes.
const (
	minReadingBytes = 3
	minGroupBytes   = 6 + 1 + 1 + 1 + 1
)

// Append appends the encoding of m to dst. It fails, appending nothing,
// if m has no readings or a reading that store.Reading.Validate refuses
// or that belongs to another meter.
func (m *Readings) Append(dst []byte) ([]byte, error) {
	if err := m.validate(); err != nil {
		return dst, err
	}
	groups := 0
	for i := range m.Readings {
		if startsGroup(m.Readings, i) {
			groups++
		}
	}
	dst = append(dst, kindReadings, version)
	dst = binary.AppendUvarint(dst, uint64(m.Meter))
	dst = binary.AppendUvarint(dst, uint64(m.Collected))
	dst = append(dst, byte(m.Source))
	dst = binary.AppendUvarint(dst, uint64(groups))
	for i := 0; i < len(m.Readings); {
		j := i + 1
		for j < len(m.Readings) && !startsGroup(m.Readings, j) {
			j++
		}
		dst = appendGroup(dst, m.Readings[i:j])
		i = j
	}
	return dst, nil
}

func (m *Readings) validate() error {
	switch {
	case m.Meter == 0:
		return fmt.Errorf("meterdata: readings message: meter id 0: %w", store.ErrInvalid)
	case m.Collected < 0 || m.Collected > store.MaxTime:
		return fmt.Errorf("meterdata: readings message of meter %d: collected %d < 0: %w", m.Meter, m.Collected, store.ErrInvalid)
	case m.Source > maxSource:
		return fmt.Errorf("meterdata: readings message of meter %d: %s: %w", m.Meter, m.Source, store.ErrInvalid)
	case len(m.Readings) == 0:
		return fmt.Errorf("meterdata: readings message of meter %d: no readings: %w", m.Meter, store.ErrInvalid)
	}
	for i, r := range m.Readings {
		if r.Meter != m.Meter {
			return fmt.Errorf("meterdata: readings message of meter %d: reading %d is of meter %d: %w", m.Meter, i, r.Meter, store.ErrInvalid)
		}
		if err := r.Validate(); err != nil {
			return fmt.Errorf("meterdata: readings message: reading %d: %w", i, err)
		}
	}
	return nil
}

// startsGroup reports whether reading i cannot continue the group of
// reading i−1.
func startsGroup(rs []store.Reading, i int) bool {
	return i == 0 || rs[i].Channel != rs[i-1].Channel || rs[i].Time <= rs[i-1].Time
}

func appendGroup(dst []byte, rs []store.Reading) []byte {
	dst = append(dst, rs[0].Channel[:]...)
	dst = binary.AppendUvarint(dst, uint64(len(rs)))
	dst = binary.AppendUvarint(dst, uint64(rs[0].Time))
	dst = binary.AppendVarint(dst, rs[0].Value)
	dst = binary.AppendUvarint(dst, uint64(rs[0].Quality))
	var prevDelta int64
	for i := 1; i < len(rs); i++ {
		delta := rs[i].Time - rs[i-1].Time
		dst = binary.AppendVarint(dst, delta-prevDelta)
		dst = binary.AppendVarint(dst, rs[i].Value-rs[i-1].Value)
		dst = binary.AppendUvarint(dst, uint64(rs[i].Quality))
		prevDelta = delta
	}
	return dst
}

// DecodeReadings decodes a readings message into m, reusing the capacity
// of m.Readings. On error m is left empty.
func DecodeReadings(src []byte, m *Readings) error {
	rs := m.Readings[:0]
	*m = Readings{}
	d := decoder{buf: src}
	d.header(kindReadings)
	m.Meter, m.Collected = d.meterCollected()
	m.Source = Source(d.byte("source"))
	if d.err == nil && m.Source > maxSource {
		d.off--
		d.failf("source", "%s", m.Source)
	}
	groups := d.count("groups", minGroupBytes)
	for g := range groups {
		rs = d.group(g, m.Meter, rs)
	}
	d.end()
	if d.err != nil {
		*m = Readings{Readings: rs[:0]}
		return fmt.Errorf("meterdata: readings message: %w", d.err)
	}
	m.Readings = rs
	return nil
}

func (d *decoder) group(g int, meter store.MeterID, rs []store.Reading) []store.Reading {
	r := store.Reading{Meter: meter}
	copy(r.Channel[:], d.take("channel", 6))
	first := d.off
	n := d.uvarint("n")
	if d.err == nil && (n == 0 || n-1 > uint64((d.left())/minReadingBytes)) {
		d.off = first
		d.failf("n", "count %d with %d bytes left", n, d.left())
	}
	r.Time = d.time("t0")
	r.Value = d.varint("v0")
	r.Quality = d.quality("q0")
	if d.err != nil {
		d.within("group[%d]", g)
		return rs
	}
	rs = append(rs, r)
	var prevDelta int64
	for i := uint64(1); i < n; i++ {
		at := d.off
		dod := d.varint("dod")
		// delta = prevDelta + dod must lie in [1, MaxTime − t]; compare
		// before adding so that a hostile dod cannot overflow.
		if d.err == nil && (dod < 1-prevDelta || dod > store.MaxTime-r.Time-prevDelta) {
			d.off = at
			d.failf("dod", "time delta %d%+d leaves (%d, %d]", prevDelta, dod, r.Time, store.MaxTime)
		}
		dv := d.varint("dv")
		q := d.quality("q")
		if d.err != nil {
			d.within("group[%d].reading[%d]", g, i)
			return rs
		}
		prevDelta += dod
		r.Time += prevDelta
		r.Value += dv // wraps as the encoder's difference did
		r.Quality = q
		rs = append(rs, r)
	}
	return rs
}
