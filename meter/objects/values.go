package objects

import (
	"fmt"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// values reads a decoded Data tree (preorder) for SET and ACTION. The
// first mismatch sticks; Err wraps cosem.ErrTypeUnmatched and names the
// position.
type values struct {
	v   []axdr.Value
	i   int
	err error
}

func read(v []axdr.Value) *values { return &values{v: v} }

func (r *values) next(what string, tags ...axdr.Tag) (axdr.Value, bool) {
	if r.err != nil {
		return axdr.Value{}, false
	}
	if r.i >= len(r.v) {
		r.err = fmt.Errorf("%w: %s missing", cosem.ErrTypeUnmatched, what)
		return axdr.Value{}, false
	}
	v := r.v[r.i]
	for _, t := range tags {
		if v.Tag == t {
			r.i++
			return v, true
		}
	}
	r.err = fmt.Errorf("%w: %s: want %v, have %v", cosem.ErrTypeUnmatched, what, tags, v.Tag)
	return axdr.Value{}, false
}

// structure reads a structure header of n elements (any n when n < 0).
func (r *values) structure(what string, n int) int {
	v, ok := r.next(what, axdr.TagStructure)
	if ok && n >= 0 && v.N != n {
		r.err = fmt.Errorf("%w: %s: structure of %d, want %d", cosem.ErrTypeUnmatched, what, v.N, n)
	}
	return v.N
}

// array reads an array header and returns its length (bounded by the
// values left, so a hostile count cannot size anything).
func (r *values) array(what string) int {
	v, _ := r.next(what, axdr.TagArray)
	if v.N > len(r.v)-r.i && r.err == nil {
		r.err = fmt.Errorf("%w: %s: array of %d with %d values left", cosem.ErrTypeUnmatched, what, v.N, len(r.v)-r.i)
		return 0
	}
	return v.N
}

func (r *values) octets(what string) []byte {
	v, _ := r.next(what, axdr.TagOctetString)
	return v.Bytes
}

func (r *values) text(what string) string {
	v, _ := r.next(what, axdr.TagOctetString, axdr.TagVisibleString, axdr.TagUTF8String)
	return string(v.Bytes)
}

// uint reads an integer of any type in 0…max (max below 2⁶³).
func (r *values) uint(what string, max uint64) uint64 {
	return uint64(r.int(what, 0, int64(max)))
}

// int reads an integer of any type in lo…hi.
func (r *values) int(what string, lo, hi int64) int64 {
	v, ok := r.next(what, axdr.TagUint8, axdr.TagUint16, axdr.TagUint32, axdr.TagUint64, axdr.TagEnum,
		axdr.TagInt8, axdr.TagInt16, axdr.TagInt32, axdr.TagInt64)
	if !ok {
		return 0
	}
	i, ok := v.Int()
	if !ok || i < lo || i > hi {
		r.err = fmt.Errorf("%w: %s: %v out of %d…%d", cosem.ErrTypeUnmatched, what, v, lo, hi)
		return 0
	}
	return i
}

func (r *values) bool(what string) bool {
	v, _ := r.next(what, axdr.TagBoolean)
	b, _ := v.Bool()
	return b
}

// dateTime reads a date-time given as octet-string(12) or date-time.
func (r *values) dateTime(what string) axdr.DateTime {
	v, ok := r.next(what, axdr.TagOctetString, axdr.TagDateTime)
	if !ok {
		return axdr.DateTime{}
	}
	dt, err := axdr.ParseDateTime(v.Bytes)
	if err != nil {
		r.err = fmt.Errorf("%w: %s: %v", cosem.ErrTypeUnmatched, what, err)
	}
	return dt
}

func (r *values) date(what string) axdr.Date {
	v, ok := r.next(what, axdr.TagOctetString, axdr.TagDate)
	if !ok {
		return axdr.Date{}
	}
	d, err := axdr.ParseDate(v.Bytes)
	if err != nil {
		r.err = fmt.Errorf("%w: %s: %v", cosem.ErrTypeUnmatched, what, err)
	}
	return d
}

func (r *values) time(what string) axdr.Time {
	v, ok := r.next(what, axdr.TagOctetString, axdr.TagTime)
	if !ok {
		return axdr.Time{}
	}
	t, err := axdr.ParseTime(v.Bytes)
	if err != nil {
		r.err = fmt.Errorf("%w: %s: %v", cosem.ErrTypeUnmatched, what, err)
	}
	return t
}

func (r *values) obis(what string) [6]byte {
	var o [6]byte
	b := r.octets(what)
	if r.err == nil && len(b) != 6 {
		r.err = fmt.Errorf("%w: %s: %d bytes, want 6", cosem.ErrTypeUnmatched, what, len(b))
	}
	copy(o[:], b)
	return o
}

// done returns the first error, or one if values are left over.
func (r *values) done() error {
	if r.err == nil && r.i != len(r.v) {
		r.err = fmt.Errorf("%w: %d values too many", cosem.ErrTypeUnmatched, len(r.v)-r.i)
	}
	return r.err
}

// Encoding helpers.

func appendDateTime(dst []byte, dt axdr.DateTime) []byte {
	var b [axdr.DateTimeSize]byte
	return axdr.AppendOctetString(dst, dt.Append(b[:0]))
}

func appendDate(dst []byte, d axdr.Date) []byte {
	var b [axdr.DateSize]byte
	return axdr.AppendOctetString(dst, d.Append(b[:0]))
}

func appendTime(dst []byte, t axdr.Time) []byte {
	var b [axdr.TimeSize]byte
	return axdr.AppendOctetString(dst, t.Append(b[:0]))
}

// notSpecified is a date-time with every field not specified.
var notSpecified = axdr.DateTime{
	Date:      axdr.Date{Year: axdr.YearNotSpecified, Month: axdr.NotSpecified, Day: axdr.NotSpecified, Weekday: axdr.NotSpecified},
	Time:      axdr.Time{Hour: axdr.NotSpecified, Minute: axdr.NotSpecified, Second: axdr.NotSpecified, Hundredths: axdr.NotSpecified},
	Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified,
}

func appendScript(dst []byte, table [6]byte, selector uint16) []byte {
	dst = axdr.AppendStructure(dst, 2)
	dst = axdr.AppendOctetString(dst, table[:])
	return axdr.AppendUint16(dst, selector)
}

func appendCaptureObject(dst []byte, class uint16, name [6]byte, attr int8, idx uint16) []byte {
	dst = axdr.AppendStructure(dst, 4)
	dst = axdr.AppendUint16(dst, class)
	dst = axdr.AppendOctetString(dst, name[:])
	dst = axdr.AppendInt8(dst, attr)
	return axdr.AppendUint16(dst, idx)
}

func noSuchAttribute(attr int8) error {
	return fmt.Errorf("%w: attribute %d", cosem.ErrUndefined, attr)
}

func noSuchMethod(method int8) error {
	return fmt.Errorf("%w: method %d", cosem.ErrUndefined, method)
}
