package axdr

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel errors; a decode error wraps one of them in a *DecodeError.
var (
	ErrTruncated = errors.New("axdr: truncated")
	ErrTag       = errors.New("axdr: unknown tag")
	ErrLength    = errors.New("axdr: bad length")
	ErrTooDeep   = errors.New("axdr: nested too deep")
	ErrTypeDesc  = errors.New("axdr: bad compact-array type description")
	ErrTrailing  = errors.New("axdr: trailing bytes")
)

// MaxDepth is how deeply containers may nest (the root is depth 1). Real
// COSEM data nests a handful of levels; the cap bounds recursion on
// hostile input.
const MaxDepth = 32

// DecodeError says where decoding stopped and why.
type DecodeError struct {
	Offset int // from the start of the buffer given to the Decoder
	Err    error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("offset %d: %v", e.Offset, e.Err) }
func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder reads A-XDR from a buffer. The first error sticks: later reads
// return zero values and Err reports the offset where it stopped. A Decoder
// is a small value meant to live on the stack; it never allocates except
// for the error it reports.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder returns a Decoder reading buf from its start.
func NewDecoder(buf []byte) Decoder { return Decoder{buf: buf} }

// Err returns the first error, or nil.
func (d *Decoder) Err() error { return d.err }

// Offset returns the position of the next byte to read.
func (d *Decoder) Offset() int { return d.off }

// Len returns the number of unread bytes.
func (d *Decoder) Len() int { return len(d.buf) - d.off }

// Rest returns the unread bytes (aliasing the buffer) and consumes them.
func (d *Decoder) Rest() []byte { return d.Bytes(d.Len()) }

// Fail records err at the current offset unless an error is already
// recorded. Callers use it for errors of their own layer.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.off, Err: err}
	}
}

// FailAt records err at offset off unless an error is already recorded,
// for a problem noticed after reading past its cause.
func (d *Decoder) FailAt(off int, err error) {
	if d.err == nil {
		d.err = &DecodeError{Offset: off, Err: err}
	}
}

// Bytes consumes n bytes and returns them, aliasing the buffer.
func (d *Decoder) Bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.off {
		d.Fail(ErrTruncated)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// Peek returns the next byte without consuming it, and false at the end.
func (d *Decoder) Peek() (byte, bool) {
	if d.err != nil || d.off >= len(d.buf) {
		return 0, false
	}
	return d.buf[d.off], true
}

// Uint8 consumes one byte.
func (d *Decoder) Uint8() uint8 {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.buf) {
		d.Fail(ErrTruncated)
		return 0
	}
	b := d.buf[d.off]
	d.off++
	return b
}

// Uint16 consumes a big-endian 16-bit integer.
func (d *Decoder) Uint16() uint16 {
	if b := d.Bytes(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

// Uint32 consumes a big-endian 32-bit integer.
func (d *Decoder) Uint32() uint32 {
	if b := d.Bytes(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

// Length consumes an A-XDR length (one byte below 0x80, else 0x80|k and k
// big-endian bytes, k ≤ 4). It does not check the length against the bytes
// left; callers that size anything by it must (see Count).
func (d *Decoder) Length() int {
	b := d.Uint8()
	if b < 0x80 {
		return int(b)
	}
	k := int(b & 0x7F)
	if k == 0 || k > 4 {
		d.Fail(ErrLength)
		return 0
	}
	var n uint64
	for _, c := range d.Bytes(k) {
		n = n<<8 | uint64(c)
	}
	return int(n)
}

// Count consumes an A-XDR length that counts items of at least min bytes
// each, failing with ErrTruncated when the rest of the buffer cannot hold
// them, so that no caller sizes anything from a hostile count.
func (d *Decoder) Count(min int) int {
	at := d.off
	n := d.Length()
	if d.err == nil && n > (len(d.buf)-d.off)/max(min, 1) && min > 0 {
		d.off = at
		d.Fail(ErrTruncated)
		return 0
	}
	return n
}

// Value decodes one Data value and appends its nodes to dst in preorder.
// On error it returns dst as it was.
func (d *Decoder) Value(dst []Value) []Value {
	if d.err != nil {
		return dst
	}
	n := len(dst)
	dst = d.value(dst, 1)
	if d.err != nil {
		return dst[:n]
	}
	return dst
}

// value decodes one value tree at depth (the root is 1) without recursion:
// open[k] counts the children still owed to the k-th open container. The
// fixed-size and short strings of profile rows take a path that touches
// only local variables.
func (d *Decoder) value(dst []Value, depth int) []Value {
	if d.err != nil {
		return dst
	}
	var open [MaxDepth]int
	sp := 0
	buf, off := d.buf, d.off
	for {
		at := off
		if off >= len(buf) {
			d.off = off
			d.Fail(ErrTruncated)
			return dst
		}
		t := Tag(buf[off])
		off++
		k := tagKind[t]
		if (k == kindList || k == kindCompact) && depth+sp > MaxDepth {
			d.off = at
			d.Fail(ErrTooDeep)
			return dst
		}
		switch k {
		case kindFixed:
			size := int(fixedSize[t])
			if size > len(buf)-off {
				d.off = off
				d.Fail(ErrTruncated)
				return dst
			}
			b := buf[off : off+size : off+size]
			off += size
			switch t {
			case TagDateTime, TagDate, TagTime:
				dst = append(dst, Value{Tag: t, Bytes: b})
			default:
				dst = append(dst, Value{Tag: t, bits: beBits(b, t.signed())})
			}
		case kindString:
			if off < len(buf) && buf[off] < 0x80 && int(buf[off]) < len(buf)-off {
				n := int(buf[off])
				dst = append(dst, Value{Tag: t, Bytes: buf[off+1 : off+1+n : off+1+n]})
				off += 1 + n
				break
			}
			d.off = off
			b := d.Bytes(d.Length())
			if d.err != nil {
				return dst
			}
			off = d.off
			dst = append(dst, Value{Tag: t, Bytes: b})
		case kindBits:
			d.off = off
			n := d.Length()
			b := d.Bytes((n + 7) / 8)
			if d.err != nil {
				return dst
			}
			off = d.off
			dst = append(dst, Value{Tag: t, Bytes: b, N: n})
		case kindList:
			d.off = off
			n := d.Count(1)
			if d.err != nil {
				return dst
			}
			off = d.off
			dst = append(dst, Value{Tag: t, N: n})
			if n > 0 {
				open[sp] = n
				sp++
				continue
			}
		case kindCompact:
			d.off = off
			dst = d.compactArray(dst, depth+sp)
			if d.err != nil {
				return dst
			}
			off = d.off
		default:
			d.off = at
			d.Fail(ErrTag)
			return dst
		}
		// A value is complete: close every container it completes.
		for {
			if sp == 0 {
				d.off = off
				return dst
			}
			if open[sp-1]--; open[sp-1] > 0 {
				break
			}
			sp--
		}
	}
}

// beBits reads a big-endian integer of len(b) ≤ 8 bytes, sign-extending it
// when signed.
func beBits(b []byte, signed bool) uint64 {
	var x uint64
	switch len(b) {
	case 1:
		x = uint64(b[0])
	case 2:
		x = uint64(binary.BigEndian.Uint16(b))
	case 4:
		x = uint64(binary.BigEndian.Uint32(b))
	case 8:
		return binary.BigEndian.Uint64(b)
	default:
		return 0
	}
	if signed {
		shift := 64 - 8*uint(len(b))
		x = uint64(int64(x<<shift) >> shift)
	}
	return x
}

// Decode decodes the single Data value that fills src, appending its nodes to
// dst. Byte views in the result alias src.
func Decode(dst []Value, src []byte) ([]Value, error) {
	d := NewDecoder(src)
	dst = d.Value(dst)
	if d.err == nil && d.Len() != 0 {
		d.Fail(ErrTrailing)
	}
	return dst, d.err
}
