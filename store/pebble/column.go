package pebble

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// An integer column is a sequence x[0..n) stored as x[0] in the block
// header, a column header and a Rice-coded bit stream of residuals:
//
//	mode bit 0     transform: 0 delta (residual i = x[i]−x[i−1], i ≥ 1),
//	               1 delta-of-delta (d1 = x[1]−x[0] in the header,
//	               residual i = (x[i]−x[i−1]) − (x[i−1]−x[i−2]), i ≥ 2)
//	mode bit 1     mapping to unsigned: 0 minus the residuals' minimum
//	               (base, in the header), 1 zigzag
//	mode bits 2–7  Rice parameter k (0–62), or 63: every mapped residual is
//	               zero and there is no bit stream
//
// A mapped residual u is written as q = u>>k zero bits, a one bit and the
// low k bits of u; when q ≥ 32 it is written instead as 32 zero bits, the
// bit length of u minus one in 6 bits and then u in that many bits. All
// arithmetic wraps around, so any int64 sequence round-trips.
const (
	modeDod      = 1 << 0
	modeZigzag   = 1 << 1
	kShift       = 2
	kZero        = 63
	riceEscape   = 32
	escapeLenLen = 6
)

// columnPlan is how one column is encoded.
type columnPlan struct {
	mode     byte
	d1       int64 // first difference, when mode has modeDod
	base     int64 // minimum residual, when mode maps by subtracting it
	last     int64 // x[n−1]
	withLast bool  // store last when the residuals do not fix it
	res      []int64
}

func (p *columnPlan) k() uint { return uint(p.mode >> kShift) }

// constant reports whether the header alone fixes every x.
func (p *columnPlan) constant() bool { return p.k() == kZero }

// plan chooses the transform, mapping and k that take the fewest bits for
// xs (len ≥ 2). withLast stores the last value in the header when the
// residuals do not fix it. scratch holds the residuals on return.
func plan(xs []int64, withLast bool, scratch []int64) columnPlan {
	n := len(xs)
	res := scratch[:0]
	for i := 1; i < n; i++ {
		res = append(res, xs[i]-xs[i-1])
	}
	best := columnPlan{last: xs[n-1], withLast: withLast}
	bestBits := -1
	try := func(mode byte, d1 int64, r []int64) {
		m, base, k, body := chooseMapping(r)
		hdr := 1
		if mode&modeDod != 0 {
			hdr += varintLen(d1)
		}
		if m&modeZigzag == 0 {
			hdr += varintLen(base)
		}
		if withLast && k != kZero {
			hdr += varintLen(xs[n-1] - xs[0])
		}
		if total := hdr*8 + body; bestBits < 0 || total < bestBits {
			bestBits = total
			best.mode, best.d1, best.base = mode|m|byte(k)<<kShift, d1, base
		}
	}
	try(0, 0, res)
	// Second differences overwrite the deltas in place, from the end; the
	// deltas are recomputed if they win.
	d1 := res[0]
	dod := res[len(res):]
	if n > 2 {
		dod = res[1:]
		for i := len(dod) - 1; i >= 1; i-- {
			dod[i] -= dod[i-1]
		}
		dod[0] -= d1
	}
	try(modeDod, d1, dod)
	if best.mode&modeDod == 0 {
		res = res[:0]
		for i := 1; i < n; i++ {
			res = append(res, xs[i]-xs[i-1])
		}
		best.res = res
	} else {
		best.res = dod
	}
	best.refineK()
	return best
}

// refineK replaces the estimated Rice parameter by the best of it and its
// neighbours, counted exactly: heavy-tailed residuals (a kettle in a
// quiet hour) want a larger k than their mean suggests.
func (p *columnPlan) refineK() {
	k := p.k()
	if k == kZero {
		return
	}
	cands := [3]uint{k, k + 1, k - 1}
	if k == 0 || k == 62 {
		cands[2] = k
	}
	cands[1] = min(cands[1], 62)
	var cost [3]int
	zz := p.mode&modeZigzag != 0
	for _, v := range p.res {
		u := mapResidual(v, zz, p.base)
		cost[0] += riceLen(u, cands[0])
		cost[1] += riceLen(u, cands[1])
		cost[2] += riceLen(u, cands[2])
	}
	best := 0
	for c := 1; c < 3; c++ {
		if cost[c] < cost[best] {
			best = c
		}
	}
	p.mode = p.mode&(1<<kShift-1) | byte(cands[best])<<kShift
}

// chooseMapping picks the mapping of residuals r to unsigned values with
// the smaller mean (minus their minimum, or zigzag) and the Rice parameter
// for that mean, in one pass. It returns the mode bits of the mapping, the
// base, k and an estimate of the body's length in bits: for values of mean
// m, Rice coding with k = ⌊log2(m·ln 2)⌋ takes about k + 1 + m/2^k bits
// each, near the optimum for the roughly geometric residuals of meter
// data. An estimate is enough to choose between encodings; the body is
// what it is.
func chooseMapping(r []int64) (mode byte, base int64, k uint, nbits int) {
	if len(r) == 0 {
		return modeZigzag, 0, kZero, 0
	}
	lo, hi := r[0], r[0]
	var sumZZ, sumR float64
	for _, v := range r {
		lo, hi = min(lo, v), max(hi, v)
		sumZZ += float64(zigzag(v))
		sumR += float64(v)
	}
	switch {
	case lo == 0 && hi == 0:
		return modeZigzag, 0, kZero, 0
	case lo == hi:
		return 0, lo, kZero, 0
	}
	n := float64(len(r))
	meanFOR := sumR/n - float64(lo)
	mean := sumZZ / n
	if meanFOR < mean {
		mean, base = meanFOR, lo
	} else {
		mode = modeZigzag
	}
	if scaled := mean * math.Ln2; scaled >= 2 {
		k = min(uint(bits.Len64(uint64(scaled)))-1, 62)
	}
	perValue := float64(k) + 1 + mean/float64(uint64(1)<<k)
	return mode, base, k, int(min(n*perValue, math.MaxInt32))
}

func mapResidual(v int64, zz bool, base int64) uint64 {
	if zz {
		return zigzag(v)
	}
	return uint64(v) - uint64(base)
}

func riceLen(u uint64, k uint) int {
	if q := u >> k; q < riceEscape {
		return int(q) + 1 + int(k)
	}
	return riceEscape + escapeLenLen + bits.Len64(u)
}

func varintLen(v int64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutVarint(b[:], v)
}

// appendHeader appends the column header: mode, d1, base and, when the
// residuals do not fix it, the last x relative to the first.
func (p *columnPlan) appendHeader(dst []byte, x0 int64) []byte {
	dst = append(dst, p.mode)
	if p.mode&modeDod != 0 {
		dst = binary.AppendVarint(dst, p.d1)
	}
	if p.mode&modeZigzag == 0 {
		dst = binary.AppendVarint(dst, p.base)
	}
	if p.withLast && !p.constant() {
		dst = binary.AppendVarint(dst, p.last-x0)
	}
	return dst
}

// writeBody writes the Rice-coded residuals.
func (p *columnPlan) writeBody(w *bitWriter) {
	k := p.k()
	if k == kZero {
		return
	}
	zz := p.mode&modeZigzag != 0
	for _, v := range p.res {
		u := mapResidual(v, zz, p.base)
		if q := u >> k; q < riceEscape {
			w.write(1, uint(q)+1)
			w.write(u, k)
			continue
		}
		l := uint(bits.Len64(u))
		w.write(0, riceEscape)
		w.write(uint64(l-1), escapeLenLen)
		w.write(u, l)
	}
}

// columnHeader is a decoded column header.
type columnHeader struct {
	mode     byte
	d1, base int64
	last     int64 // x[n−1]
}

// columnFields name a column's header fields in errors.
type columnFields struct{ mode, d1, base, last string }

var (
	timeFields  = columnFields{"block.times.mode", "block.times.d1", "block.times.base", "block.times.last"}
	valueFields = columnFields{"block.values.mode", "block.values.d1", "block.values.base", "block.values.last"}
)

// readColumnHeader reads the header of a column of n ≥ 2 values starting
// at x0 and, withLast, works out its last value.
func readColumnHeader(d *decoder, f columnFields, n int, x0 int64, withLast bool) columnHeader {
	h := columnHeader{mode: d.byte(f.mode)}
	if h.mode&modeDod != 0 {
		h.d1 = d.varint(f.d1)
	}
	if h.mode&modeZigzag == 0 {
		h.base = d.varint(f.base)
	}
	k := uint(h.mode >> kShift)
	switch {
	case !withLast:
	case k != kZero:
		h.last = x0 + d.varint(f.last)
	case h.mode&modeDod == 0: // constant difference
		h.last = x0 + int64(n-1)*constResidual(h)
	default: // constant second difference
		m := int64(n - 1)
		h.last = x0 + m*h.d1 + constResidual(h)*(m*(m-1)/2)
	}
	return h
}

func constResidual(h columnHeader) int64 {
	if h.mode&modeZigzag != 0 {
		return 0
	}
	return h.base
}

// columnReader yields the values of one column.
type columnReader struct {
	h  columnHeader
	k  uint
	zz bool
}

func newColumnReader(h columnHeader) columnReader {
	return columnReader{h: h, k: uint(h.mode >> kShift), zz: h.mode&modeZigzag != 0}
}

// fill sets x[1], x[2], … of the column, which starts at x0, in out[1:]:
// the values when values is set, else the times. One loop over the
// samples with the residual read inline is what keeps decoding at a few
// nanoseconds a sample.
func (c *columnReader) fill(br *bitReader, x0 int64, out []sample, values bool) {
	dod := c.h.mode&modeDod != 0
	prev, d := x0, int64(0)
	for i := 1; i < len(out); i++ {
		switch {
		case dod && i == 1:
			d = c.h.d1
		default:
			var u uint64
			if c.k != kZero {
				u = c.readRice(br)
			}
			r := int64(u + uint64(c.h.base))
			if c.zz {
				r = unzigzag(u)
			}
			if dod {
				d += r
			} else {
				d = r
			}
		}
		prev += d
		if values {
			out[i].Value = prev
		} else {
			out[i].Time = prev
		}
	}
}

// readRice reads a mapped residual. The common case, a quotient below
// the escape whose bits are all loaded, takes one count of leading zeros
// and two shifts; the rest goes bit by bit.
func (c *columnReader) readRice(br *bitReader) uint64 {
	if br.n <= 56 {
		br.refill()
	}
	// The bits after the n loaded are zero or the stream's own, so counting
	// into them is harmless when q+1+k ≤ n says none of them is used.
	if q := uint(bits.LeadingZeros64(br.acc)); q < riceEscape && q+1+c.k <= br.n {
		u := uint64(q)<<c.k | br.acc<<(q+1)>>(64-c.k) // k = 0: a shift by 64 is 0
		br.acc <<= q + 1 + c.k
		br.n -= q + 1 + c.k
		return u
	}
	if q := br.unary(riceEscape); q < riceEscape {
		return uint64(q)<<c.k | br.read(c.k)
	}
	l := uint(br.read(escapeLenLen)) + 1
	return br.read(l)
}
