package pebble

import (
	"encoding/binary"
	"math/bits"
)

// bitWriter appends bits, most significant first, to a byte slice.
type bitWriter struct {
	buf []byte
	acc uint64 // pending bits, right-aligned
	n   uint   // number of pending bits, < 8 between calls
}

// write appends the low w bits of v, w ≤ 64.
func (b *bitWriter) write(v uint64, w uint) {
	if w > 32 {
		b.write(v>>32, w-32)
		w = 32
	}
	if w == 0 {
		return
	}
	b.acc = b.acc<<w | v&(1<<w-1)
	b.n += w
	for b.n >= 8 {
		b.n -= 8
		b.buf = append(b.buf, byte(b.acc>>b.n))
	}
}

// flush pads the last byte with zeros and returns the buffer.
func (b *bitWriter) flush() []byte {
	if b.n > 0 {
		b.buf = append(b.buf, byte(b.acc<<(8-b.n)))
		b.n, b.acc = 0, 0
	}
	return b.buf
}

// bitReader reads what bitWriter wrote. Reading past the end sets ok to
// false and returns zeros from then on.
type bitReader struct {
	src []byte
	pos int    // next byte of src to load
	acc uint64 // loaded bits, left-aligned; the bits after them are zero or the stream's next bits
	n   uint   // number of loaded bits
	ok  bool
}

func newBitReader(src []byte) bitReader { return bitReader{src: src, ok: true} }

func (r *bitReader) refill() {
	if r.pos+8 <= len(r.src) {
		// Eight bytes in one load; the whole bytes that fit are taken. The
		// bits below them are the next byte's own, so when that byte is
		// loaded later its bits OR onto equal bits.
		r.acc |= binary.BigEndian.Uint64(r.src[r.pos:]) >> r.n
		take := (64 - r.n) / 8
		r.pos += int(take)
		r.n += take * 8
		return
	}
	for r.n <= 56 && r.pos < len(r.src) {
		r.acc |= uint64(r.src[r.pos]) << (56 - r.n)
		r.n += 8
		r.pos++
	}
}

// read returns the next w bits, w ≤ 64.
func (r *bitReader) read(w uint) uint64 {
	if w > 32 {
		hi := r.read(w - 32)
		return hi<<32 | r.read(32)
	}
	if r.n < w {
		r.refill()
		if r.n < w {
			r.ok = false
			r.n, r.acc = 0, 0
			return 0
		}
	}
	v := r.acc >> (64 - w) // w == 0: Go shifts by 64 to 0
	r.acc <<= w
	r.n -= w
	return v
}

// unary counts zero bits up to the next one bit, which it consumes. It
// stops after limit zeros without consuming more and returns limit.
func (r *bitReader) unary(limit uint) uint {
	var q uint
	for {
		if r.n == 0 {
			r.refill()
			if r.n == 0 {
				r.ok = false
				return 0
			}
		}
		z := min(uint(bits.LeadingZeros64(r.acc)), r.n, limit-q)
		q += z
		r.acc <<= z
		r.n -= z
		if q == limit {
			return q
		}
		if r.n > 0 { // the next bit is the terminating one
			r.acc <<= 1
			r.n--
			return q
		}
	}
}

// consumed is the number of bytes read, counting a partly read last byte.
func (r *bitReader) consumed() int { return r.pos - int(r.n/8) }
