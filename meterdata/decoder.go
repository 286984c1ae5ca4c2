package meterdata

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

// Errors the decoders wrap, for errors.Is.
var (
	// ErrMalformed: the bytes are not a message of the kind expected.
	ErrMalformed = errors.New("meterdata: malformed")
	// ErrVersion: the message has a version this package does not know.
	ErrVersion = errors.New("meterdata: unknown version")
)

// DecodeError says which field of a message failed to decode and where.
type DecodeError struct {
	Field  string // "group[2].reading[17].dod"
	Offset int    // byte offset of the field
	Err    error  // wraps ErrMalformed or ErrVersion
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s: offset %d: %v", e.Field, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

var (
	errTruncated = fmt.Errorf("%w: truncated", ErrMalformed)
	errVarint    = fmt.Errorf("%w: varint overflows 64 bits", ErrMalformed)
)

// decoder reads a message. The first error sticks: later reads return
// zeros, and err names the field and offset where decoding stopped.
type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(field string, cause error) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Offset: d.off, Err: cause}
	}
}

func (d *decoder) failf(field, format string, args ...any) {
	d.fail(field, fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...))
}

// within prefixes the failed field with where it is ("group[2]"), so that
// the hot path names fields with constants and formats only on error.
func (d *decoder) within(format string, args ...any) {
	var de *DecodeError
	if errors.As(d.err, &de) {
		de.Field = fmt.Sprintf(format, args...) + "." + de.Field
	}
}

// left is the number of bytes not yet read.
func (d *decoder) left() int { return len(d.buf) - d.off }

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

func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > d.left() {
		d.fail(field, errTruncated)
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail(field, d.varintErr(n))
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
		d.fail(field, d.varintErr(n))
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varintErr(n int) error {
	if n == 0 {
		return errTruncated
	}
	return errVarint
}

// header checks the kind byte and the version.
func (d *decoder) header(kind byte) {
	if k := d.byte("kind"); d.err == nil && k != kind {
		d.off--
		d.failf("kind", "kind %#02x, want %#02x (%q)", k, kind, kind)
	}
	if v := d.byte("version"); d.err == nil && v != version {
		d.off--
		d.fail("version", fmt.Errorf("%w: %d, this decoder knows %d", ErrVersion, v, version))
	}
}

// time reads a uvarint Unix ms instant in the store's range.
func (d *decoder) time(field string) int64 {
	start := d.off
	t := d.uvarint(field)
	if d.err == nil && t > uint64(store.MaxTime) {
		d.off = start
		d.failf(field, "time %d beyond %d", t, store.MaxTime)
		return 0
	}
	return int64(t)
}

func (d *decoder) quality(field string) store.Quality {
	start := d.off
	q := d.uvarint(field)
	if d.err == nil && q&^uint64(store.KnownQuality) != 0 {
		d.off = start
		d.failf(field, "unknown quality bits %#x", q&^uint64(store.KnownQuality))
		return 0
	}
	return store.Quality(q)
}

// meterCollected reads the meter id (not 0) and the collection time that
// every message carries after its header.
func (d *decoder) meterCollected() (store.MeterID, int64) {
	m := store.MeterID(d.uvarint("meter"))
	if d.err == nil && m == 0 {
		d.off--
		d.failf("meter", "meter id 0")
	}
	return m, d.time("collected")
}

// count reads a count of items that take at least minBytes each and
// checks it against the bytes left, so that nothing is sized from a
// hostile length.
func (d *decoder) count(field string, minBytes int) int {
	start := d.off
	n := d.uvarint(field)
	if d.err != nil {
		return 0
	}
	if n == 0 || n > uint64(d.left()/minBytes) {
		d.off = start
		d.failf(field, "count %d with %d bytes left", n, d.left())
		return 0
	}
	return int(n)
}

// end refuses trailing bytes.
func (d *decoder) end() {
	if d.err == nil && d.left() != 0 {
		d.failf("end", "%d trailing bytes", d.left())
	}
}
