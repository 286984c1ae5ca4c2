package pebble

import (
	"encoding/binary"

	"github.com/amigo-ami/amigo/store"
)

// Key prefixes; doc.go draws the keys.
const (
	prefixBlock    = 'b'
	prefixConflict = 'c'
	prefixWAL      = 'w'
	prefixFormat   = 'v'

	dayMs = 86_400_000

	blockKeyLen    = 1 + 8 + 6 + 4
	conflictKeyLen = 1 + 8 + 6 + 8 + 8
	walKeyLen      = 1 + 8
)

var formatKey = []byte{prefixFormat}

// formatValue names the layout of every key and value; Open refuses a
// database written in another.
const formatValue = "amigo/store/pebble 1"

// series is one meter's channel.
type series struct {
	meter   store.MeterID
	channel store.Channel
}

// blockID names a meter-channel-day block.
type blockID struct {
	series
	day uint32 // days since the Unix epoch, UTC
}

func dayOf(t int64) uint32 { return uint32(t / dayMs) }

func dayStart(day uint32) int64 { return int64(day) * dayMs }

func appendSeriesPrefix(dst []byte, prefix byte, s series) []byte {
	dst = append(dst, prefix)
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.meter))
	return append(dst, s.channel[:]...)
}

func appendBlockKey(dst []byte, id blockID) []byte {
	return binary.BigEndian.AppendUint32(appendSeriesPrefix(dst, prefixBlock, id.series), id.day)
}

// parseBlockKey reads a key written by appendBlockKey; ok is false for any
// other key.
func parseBlockKey(k []byte) (id blockID, ok bool) {
	if len(k) != blockKeyLen || k[0] != prefixBlock {
		return id, false
	}
	id.meter = store.MeterID(binary.BigEndian.Uint64(k[1:]))
	copy(id.channel[:], k[9:15])
	id.day = binary.BigEndian.Uint32(k[15:])
	return id, true
}

// orderedInt maps an int64 to a uint64 with the same order.
func orderedInt(v int64) uint64 { return uint64(v) ^ 1<<63 }

func appendConflictKey(dst []byte, r store.Reading) []byte {
	dst = appendSeriesPrefix(dst, prefixConflict, series{r.Meter, r.Channel})
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.Time))
	return binary.BigEndian.AppendUint64(dst, orderedInt(r.Value))
}

func appendWALKey(dst []byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, prefixWAL), seq)
}
