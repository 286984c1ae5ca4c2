package pebble

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

// A write-ahead record holds one Append's batch, sorted, under the key
// 'w'+seq, until a flush has written its readings into blocks:
//
//	record  = nchannels:uvarint  channel:6B × nchannels  nrows:uvarint  row × nrows
//	row     = hdr:u8  [Δmeter:uvarint  if hdr&rowMeter]  [channel index:uvarint  if hdr&rowChannel]
//	          Δtime:varint  value:varint  quality:uvarint
//
// Δmeter is the meter minus the previous row's (rows are sorted, so it is
// never negative); Δtime is the time minus the previous row's. Value is the
// difference from the previous row's value when the row continues the
// previous row's series, else the value itself.
const (
	rowMeter   = 1 << 0
	rowChannel = 1 << 1

	minRowLen = 4 // hdr, Δtime, value and quality take a byte each at least
)

var errRecord = errors.New("bad write-ahead record")

// appendRecord appends the record of rows to dst.
func appendRecord(dst []byte, rows []store.Reading) []byte {
	var channels []store.Channel
	index := func(c store.Channel) int {
		for i, x := range channels {
			if x == c {
				return i
			}
		}
		channels = append(channels, c)
		return len(channels) - 1
	}
	for _, r := range rows {
		index(r.Channel)
	}
	dst = binary.AppendUvarint(dst, uint64(len(channels)))
	for _, c := range channels {
		dst = append(dst, c[:]...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(rows)))
	var prev store.Reading
	for i, r := range rows {
		var hdr byte
		if i == 0 || r.Meter != prev.Meter {
			hdr |= rowMeter
		}
		if i == 0 || r.Meter != prev.Meter || r.Channel != prev.Channel {
			hdr |= rowChannel
		}
		dst = append(dst, hdr)
		if hdr&rowMeter != 0 {
			dst = binary.AppendUvarint(dst, uint64(r.Meter-prev.Meter))
		}
		if hdr&rowChannel != 0 {
			dst = binary.AppendUvarint(dst, uint64(index(r.Channel)))
		}
		dst = binary.AppendVarint(dst, r.Time-prev.Time)
		if hdr&rowChannel != 0 {
			dst = binary.AppendVarint(dst, r.Value)
		} else {
			dst = binary.AppendVarint(dst, r.Value-prev.Value)
		}
		dst = binary.AppendUvarint(dst, uint64(r.Quality))
		prev = r
	}
	return dst
}

// decodeRecord appends the rows of a record to dst. It returns an error
// wrapping store.ErrCorrupt for any bytes that are not a record of valid,
// sorted readings, and never panics.
func decodeRecord(dst []store.Reading, src []byte) ([]store.Reading, error) {
	kept := len(dst)
	d := decoder{buf: src}
	nch := d.uvarint("record.channels")
	if d.err == nil && nch > uint64(len(src)-d.off)/6 {
		d.fail("record.channels", errTruncated)
	}
	if d.err != nil {
		return dst, d.err
	}
	channels := make([]store.Channel, nch)
	for i := range channels {
		copy(channels[i][:], src[d.off:])
		d.off += 6
	}
	nrows := d.uvarint("record.rows")
	if d.err == nil && nrows > uint64(len(src)-d.off)/minRowLen {
		d.fail("record.rows", errTruncated)
	}
	var prev store.Reading
	for i := uint64(0); i < nrows && d.err == nil; i++ {
		r := prev
		hdr := d.byte("record.row.hdr")
		if hdr&^(rowMeter|rowChannel) != 0 || i == 0 && hdr != rowMeter|rowChannel || hdr == rowMeter {
			d.fail("record.row.hdr", errRecord)
		}
		if hdr&rowMeter != 0 {
			r.Meter += store.MeterID(d.uvarint("record.row.meter"))
		}
		if hdr&rowChannel != 0 {
			ci := d.uvarint("record.row.channel")
			if d.err == nil && ci >= nch {
				d.fail("record.row.channel", errRecord)
			}
			if d.err == nil {
				r.Channel = channels[ci]
			}
		}
		r.Time += d.varint("record.row.time")
		if hdr&rowChannel != 0 {
			r.Value = d.varint("record.row.value")
		} else {
			r.Value += d.varint("record.row.value")
		}
		q := d.uvarint("record.row.quality")
		r.Quality = store.Quality(q)
		if d.err != nil {
			break
		}
		if err := r.Validate(); err != nil || q > 0xffff || i > 0 && !rowsOrdered(prev, r) {
			d.fail("record.row", fmt.Errorf("%w: row %d: %s", errRecord, i, r))
			break
		}
		dst = append(dst, r)
		prev = r
	}
	if d.err == nil && d.off != len(src) {
		d.fail("record", errTrailing)
	}
	if d.err != nil {
		return dst[:kept], d.err
	}
	return dst, nil
}

// rowsOrdered reports whether b may follow a in a sorted batch.
func rowsOrdered(a, b store.Reading) bool {
	if a.Meter != b.Meter {
		return a.Meter < b.Meter
	}
	if c := compareChannels(a.Channel, b.Channel); c != 0 {
		return c < 0
	}
	return a.Time <= b.Time
}

func compareChannels(a, b store.Channel) int {
	return cmp.Compare(channelKey(a), channelKey(b))
}

// channelKey is c as a number that sorts like its bytes.
func channelKey(c store.Channel) uint64 {
	return uint64(c[0])<<40 | uint64(c[1])<<32 | uint64(c[2])<<24 | uint64(c[3])<<16 | uint64(c[4])<<8 | uint64(c[5])
}

// compareReadings orders readings by meter, channel and time.
func compareReadings(a, b store.Reading) int {
	switch {
	case a.Meter != b.Meter:
		if a.Meter < b.Meter {
			return -1
		}
		return 1
	case a.Channel != b.Channel:
		return compareChannels(a.Channel, b.Channel)
	case a.Time < b.Time:
		return -1
	case a.Time > b.Time:
		return 1
	}
	return 0
}
