package pebble

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

// The block format is drawn in doc.go.
const (
	blockVersion = 1
	// maxBlockSamples bounds the samples of one block: a day at one reading
	// per second fits. The decoder refuses larger counts before allocating.
	maxBlockSamples = 1 << 17

	sumFirst = 1 << 0 // summary.first differs from v0
	sumMin   = 1 << 1 // summary.min differs from summary.first
	sumMax   = 1 << 2 // summary.max differs from summary.last
)

var (
	errVersion   = errors.New("unknown block version")
	errCount     = errors.New("sample count out of range")
	errOrder     = errors.New("times not strictly increasing")
	errMismatch  = errors.New("header disagrees with samples")
	errFlags     = errors.New("bad flag runs")
	errTrailing  = errors.New("trailing bytes")
	errBadBitRun = errors.New("bit stream truncated")
)

// sample is one reading of a block: the block's key holds meter, channel
// and day.
type sample = store.Sample

// blockSummary is what a block's header says without decoding samples.
type blockSummary struct {
	n           int
	first, last int64        // times of the first and last sample
	agg         store.Bucket // over the non-missing samples
}

// summarize computes the summary of samples.
func summarize(s []sample) blockSummary {
	sum := blockSummary{n: len(s), first: s[0].Time, last: s[len(s)-1].Time}
	for i := range s {
		if s[i].Quality&store.Missing == 0 {
			sum.agg.Add(s[i].Value)
		}
	}
	return sum
}

// blockEncoder encodes blocks, reusing its buffers. It is not safe for
// concurrent use.
type blockEncoder struct {
	xs         []int64 // one column's values
	tres, vres []int64 // residuals of the time and value columns
	bits       bitWriter
}

// encode appends the block of s to dst. Times are relative to base (the
// block's day start). s must hold 1…maxBlockSamples samples with strictly
// increasing times; the store guarantees it.
func (e *blockEncoder) encode(dst []byte, base int64, s []sample) []byte {
	n := len(s)
	if n == 0 || n > maxBlockSamples {
		panic(fmt.Sprintf("pebble: encoding a block of %d samples", n))
	}
	dst = append(dst, blockVersion)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendVarint(dst, s[0].Time-base)
	var tp, vp columnPlan
	if n >= 2 {
		e.xs = e.xs[:0]
		for i := range s {
			e.xs = append(e.xs, s[i].Time)
		}
		tp = plan(e.xs, true, e.tres)
		e.tres = tp.res
		dst = tp.appendHeader(dst, s[0].Time)
	}
	v0 := s[0].Value
	dst = binary.AppendVarint(dst, v0)
	if n >= 2 {
		e.xs = e.xs[:0]
		for i := range s {
			e.xs = append(e.xs, s[i].Value)
		}
		vp = plan(e.xs, false, e.vres)
		e.vres = vp.res
		dst = vp.appendHeader(dst, v0)
	}
	dst = appendSummary(dst, summarize(s).agg, v0)
	dst = appendFlagRuns(dst, s)
	if n >= 2 {
		e.bits.buf = dst
		tp.writeBody(&e.bits)
		vp.writeBody(&e.bits)
		dst = e.bits.flush()
		e.bits.buf = nil
	}
	return dst
}

func appendSummary(dst []byte, b store.Bucket, v0 int64) []byte {
	dst = binary.AppendUvarint(dst, uint64(b.Count))
	if b.Count == 0 {
		return dst
	}
	var present byte
	if b.First != v0 {
		present |= sumFirst
	}
	if b.Min != b.First {
		present |= sumMin
	}
	if b.Max != b.Last {
		present |= sumMax
	}
	dst = append(dst, present)
	if present&sumFirst != 0 {
		dst = binary.AppendVarint(dst, b.First-v0)
	}
	dst = binary.AppendVarint(dst, b.Last-b.First)
	dst = binary.AppendVarint(dst, b.Sum-b.Count*b.First)
	if present&sumMin != 0 {
		dst = binary.AppendVarint(dst, b.Min-b.First)
	}
	if present&sumMax != 0 {
		dst = binary.AppendVarint(dst, b.Max-b.Last)
	}
	return dst
}

// appendFlagRuns writes the quality flags as runs: the number of runs,
// then each run's flags and, unless it is the only run, its length.
func appendFlagRuns(dst []byte, s []sample) []byte {
	runs := 1
	for i := 1; i < len(s); i++ {
		if s[i].Quality != s[i-1].Quality {
			runs++
		}
	}
	dst = binary.AppendUvarint(dst, uint64(runs))
	if runs == 1 {
		return binary.AppendUvarint(dst, uint64(s[0].Quality))
	}
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || s[i].Quality != s[start].Quality {
			dst = binary.AppendUvarint(dst, uint64(s[start].Quality))
			dst = binary.AppendUvarint(dst, uint64(i-start))
			start = i
		}
	}
	return dst
}

// blockHeader is the decoded fixed part of a block.
type blockHeader struct {
	summary blockSummary
	v0      int64
	tcol    columnHeader
	vcol    columnHeader
}

func readHeader(d *decoder, base int64) blockHeader {
	var h blockHeader
	if v := d.byte("block.version"); d.err == nil && v != blockVersion {
		d.fail("block.version", fmt.Errorf("%w %d", errVersion, v))
	}
	n := d.uvarint("block.count")
	if d.err == nil && (n == 0 || n > maxBlockSamples) {
		d.fail("block.count", fmt.Errorf("%w: %d", errCount, n))
	}
	h.summary.n = int(n)
	t0 := base + d.varint("block.t0")
	h.summary.first, h.summary.last = t0, t0
	if n >= 2 {
		h.tcol = readColumnHeader(d, timeFields, int(n), t0, true)
		h.summary.last = h.tcol.last
		if d.err == nil && h.summary.last <= t0 {
			d.fail("block.times.last", errOrder)
		}
	}
	h.v0 = d.varint("block.v0")
	if n >= 2 {
		h.vcol = readColumnHeader(d, valueFields, int(n), h.v0, false)
	}
	h.summary.agg = readSummary(d, h.v0, n)
	return h
}

func readSummary(d *decoder, v0 int64, n uint64) store.Bucket {
	var b store.Bucket
	c := d.uvarint("summary.count")
	if d.err == nil && c > n {
		d.fail("summary.count", fmt.Errorf("%w: %d of %d", errCount, c, n))
	}
	if d.err != nil || c == 0 {
		return b
	}
	b.Count = int64(c)
	present := d.byte("summary.present")
	b.First = v0
	if present&sumFirst != 0 {
		b.First += d.varint("summary.first")
	}
	b.Last = b.First + d.varint("summary.last")
	b.Sum = b.Count*b.First + d.varint("summary.sum")
	b.Min, b.Max = b.First, b.Last
	if present&sumMin != 0 {
		b.Min += d.varint("summary.min")
	}
	if present&sumMax != 0 {
		b.Max += d.varint("summary.max")
	}
	if d.err == nil && present&^(sumFirst|sumMin|sumMax) != 0 {
		d.fail("summary.present", errMismatch)
	}
	return b
}

// decodeSummary reads only the header of a block.
func decodeSummary(src []byte, base int64) (blockSummary, error) {
	d := decoder{buf: src}
	h := readHeader(&d, base)
	return h.summary, d.err
}

// decodeBlock appends the samples of the block src to dst. It checks that
// times increase, that flag runs cover the samples and that the header's
// summary matches them; it returns an error wrapping store.ErrCorrupt on
// any other byte sequence and never panics. The samples do not alias src.
func decodeBlock(dst []sample, src []byte, base int64) ([]sample, error) {
	kept := len(dst)
	dst, err := decodeInto(dst, src, base)
	if err != nil {
		return dst[:kept], err
	}
	return dst, nil
}

func decodeInto(dst []sample, src []byte, base int64) ([]sample, error) {
	d := decoder{buf: src}
	h := readHeader(&d, base)
	n := h.summary.n
	if d.err == nil {
		dst = readFlagRuns(&d, dst, n)
	}
	if d.err != nil {
		return dst, d.err
	}
	out := dst[len(dst)-n:]
	out[0].Time, out[0].Value = h.summary.first, h.v0
	if n >= 2 {
		br := newBitReader(src[d.off:])
		tc := newColumnReader(h.tcol)
		tc.fill(&br, out[0].Time, out, false)
		vc := newColumnReader(h.vcol)
		vc.fill(&br, h.v0, out, true)
		if !br.ok {
			d.fail("block.bits", errBadBitRun)
			return dst, d.err
		}
		d.off += br.consumed()
	}
	if d.off != len(src) {
		d.fail("block", errTrailing)
		return dst, d.err
	}
	for i := 1; i < n; i++ {
		if out[i].Time <= out[i-1].Time {
			d.fail("block.times", fmt.Errorf("%w at sample %d", errOrder, i))
			return dst, d.err
		}
	}
	if got := summarize(out); got != h.summary {
		d.fail("block.summary", errMismatch)
	}
	return dst, d.err
}

// readFlagRuns appends n samples to dst carrying their flags.
func readFlagRuns(d *decoder, dst []sample, n int) []sample {
	runs := d.uvarint("block.flags.runs")
	if d.err == nil && (runs == 0 || runs > uint64(n)) {
		d.fail("block.flags.runs", errFlags)
	}
	if d.err != nil {
		return dst
	}
	want := len(dst) + n
	for r := uint64(0); r < runs; r++ {
		q := d.uvarint("block.flags.value")
		length := uint64(n)
		if runs > 1 {
			length = d.uvarint("block.flags.length")
		}
		if d.err == nil && (q&^uint64(store.KnownQuality) != 0 || length == 0 || length > uint64(want-len(dst))) {
			d.fail("block.flags", errFlags)
		}
		if d.err != nil {
			return dst
		}
		for range length {
			dst = append(dst, sample{Quality: store.Quality(q)})
		}
	}
	if len(dst) != want {
		d.fail("block.flags", errFlags)
	}
	return dst
}
