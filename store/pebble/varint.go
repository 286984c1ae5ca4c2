package pebble

import "encoding/binary"

// decoder reads varints from a byte slice. The first error sticks: later
// reads return zeros, and err names the field and offset where it stopped.
type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(field string, cause error) {
	if d.err == nil {
		d.err = &CorruptError{Field: field, Offset: d.off, Err: cause}
	}
}

// failVarint records why encoding/binary returned n ≤ 0.
func (d *decoder) failVarint(field string, n int) {
	if n == 0 {
		d.fail(field, errTruncated)
	} else {
		d.fail(field, errBadVarint)
	}
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.failVarint(field, n)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.failVarint(field, n)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) byte(field string) byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.buf) {
		d.fail(field, errTruncated)
		return 0
	}
	b := d.buf[d.off]
	d.off++
	return b
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
