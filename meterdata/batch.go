package meterdata

import (
	"encoding/binary"
	"fmt"
)

// kindBatch marks a batch message: several readings and events messages
// in one bus message (see the package doc).
const kindBatch byte = 'B'

// batchHeader is 'B', the version and a 4-byte count; each member is a
// 4-byte length and the member's bytes.
const (
	batchHeader  = 2 + 4
	memberHeader = 4
	// MaxBatchMember is the longest member a batch holds: a member that
	// long is a bug, not a push.
	MaxBatchMember = 1 << 24
)

// Batch builds a batch message in place: members are appended as they are
// encoded, without an intermediate copy, so that a head-end taking 100 000
// pushes a second encodes each straight into the bus payload. The zero
// Batch is empty and ready; Reset empties it keeping its buffer.
type Batch struct {
	buf []byte
	n   uint32
}

// Reset empties b.
func (b *Batch) Reset() { b.buf, b.n = b.buf[:0], 0 }

// Len returns the number of members.
func (b *Batch) Len() int { return int(b.n) }

// Size returns the encoded size so far.
func (b *Batch) Size() int { return len(b.buf) }

// AppendReadings encodes m as the next member. On error b is unchanged.
func (b *Batch) AppendReadings(m *Readings) error {
	return b.member(func(dst []byte) ([]byte, error) { return m.Append(dst) })
}

// AppendEvents encodes m as the next member. On error b is unchanged.
func (b *Batch) AppendEvents(m *Events) error {
	return b.member(func(dst []byte) ([]byte, error) { return m.Append(dst) })
}

func (b *Batch) member(enc func([]byte) ([]byte, error)) error {
	if len(b.buf) == 0 {
		b.buf = append(b.buf, kindBatch, version, 0, 0, 0, 0)
	}
	start := len(b.buf)
	out, err := enc(append(b.buf, 0, 0, 0, 0))
	if err != nil {
		b.buf = b.buf[:start]
		return err
	}
	size := len(out) - start - memberHeader
	if size > MaxBatchMember {
		b.buf = out[:start]
		return fmt.Errorf("meterdata: batch member of %d bytes exceeds %d", size, MaxBatchMember)
	}
	binary.BigEndian.PutUint32(out[start:], uint32(size))
	b.buf = out
	b.n++
	binary.BigEndian.PutUint32(b.buf[2:], b.n)
	return nil
}

// Bytes returns the batch message, valid until the next change of b; nil
// when b is empty.
func (b *Batch) Bytes() []byte {
	if b.n == 0 {
		return nil
	}
	return b.buf
}

// IsBatch reports whether src claims to be a batch message (its kind byte);
// SplitBatch checks the rest.
func IsBatch(src []byte) bool { return len(src) > 0 && src[0] == kindBatch }

// SplitBatch appends the members of batch message src to dst, each a
// readings or events message aliasing src, for DecodeReadings or
// DecodeEvents (IsReadings tells which). Errors wrap ErrMalformed (or
// ErrVersion).
func SplitBatch(src []byte, dst [][]byte) ([][]byte, error) {
	d := decoder{buf: src}
	d.header(kindBatch)
	n := d.uint32be("count")
	if d.err == nil && (n == 0 || uint64(n) > uint64(d.left())/(memberHeader+3)) {
		d.off -= 4
		d.failf("count", "count %d with %d bytes left", n, d.left())
	}
	for i := uint32(0); i < n && d.err == nil; i++ {
		size := d.uint32be("length")
		if d.err == nil && (size < 3 || size > MaxBatchMember) {
			d.off -= 4
			d.failf("length", "member of %d bytes", size)
		}
		m := d.take("member", int(size))
		if d.err == nil && m[0] != kindReadings && m[0] != kindEvents {
			d.failf("member", "kind %#02x is neither readings nor events", m[0])
		}
		if d.err != nil {
			d.within("member[%d]", i)
			break
		}
		dst = append(dst, m)
	}
	d.end()
	if d.err != nil {
		return dst, fmt.Errorf("meterdata: batch message: %w", d.err)
	}
	return dst, nil
}

// IsReadings reports whether a batch member is a readings message (else it
// is an events message).
func IsReadings(member []byte) bool { return len(member) > 0 && member[0] == kindReadings }

// uint32be reads a 4-byte big-endian count or length.
func (d *decoder) uint32be(field string) uint32 {
	b := d.take(field, 4)
	if d.err != nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}
