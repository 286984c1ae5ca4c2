package axdr

import (
	"fmt"
	"math"
)

// Value is one node of a decoded (or to-be-encoded) Data tree. A tree is a
// flat preorder []Value: a container (array, structure, compact-array) is
// followed by its N children, each followed by its own children. Slices of
// Values are meant to be reused across decodes, so that decoding allocates
// nothing once they have grown.
//
// The zero Value is null-data.
type Value struct {
	// Bytes holds the contents of octet-string, visible-string,
	// utf8-string, bit-string, date-time, date and time, and the encoded
	// type description of a compact-array. After Decode it aliases the
	// input: copy it to keep it past the input's lifetime.
	Bytes []byte
	// bits holds scalars: integers (signed ones sign-extended), enum,
	// bcd, boolean (0/1) and the IEEE bits of floats.
	bits uint64
	// N is the number of children of a container, or the length in bits
	// of a bit-string.
	N   int
	Tag Tag
}

// Constructors for building trees. Containers take their child count; the
// children follow in the slice.

func Null() Value                    { return Value{} }
func DontCare() Value                { return Value{Tag: TagDontCare} }
func Array(n int) Value              { return Value{Tag: TagArray, N: n} }
func Structure(n int) Value          { return Value{Tag: TagStructure, N: n} }
func Int8(v int8) Value              { return Value{Tag: TagInt8, bits: uint64(int64(v))} }
func Int16(v int16) Value            { return Value{Tag: TagInt16, bits: uint64(int64(v))} }
func Int32(v int32) Value            { return Value{Tag: TagInt32, bits: uint64(int64(v))} }
func Int64(v int64) Value            { return Value{Tag: TagInt64, bits: uint64(v)} }
func Uint8(v uint8) Value            { return Value{Tag: TagUint8, bits: uint64(v)} }
func Uint16(v uint16) Value          { return Value{Tag: TagUint16, bits: uint64(v)} }
func Uint32(v uint32) Value          { return Value{Tag: TagUint32, bits: uint64(v)} }
func Uint64(v uint64) Value          { return Value{Tag: TagUint64, bits: v} }
func Enum(v uint8) Value             { return Value{Tag: TagEnum, bits: uint64(v)} }
func BCD(v uint8) Value              { return Value{Tag: TagBCD, bits: uint64(v)} }
func Float32(v float32) Value        { return Value{Tag: TagFloat32, bits: uint64(math.Float32bits(v))} }
func Float64(v float64) Value        { return Value{Tag: TagFloat64, bits: math.Float64bits(v)} }
func OctetString(b []byte) Value     { return Value{Tag: TagOctetString, Bytes: b} }
func VisibleString(s string) Value   { return Value{Tag: TagVisibleString, Bytes: []byte(s)} }
func UTF8String(s string) Value      { return Value{Tag: TagUTF8String, Bytes: []byte(s)} }
func DateTimeValue(t DateTime) Value { return Value{Tag: TagDateTime, Bytes: t.Append(nil)} }
func DateValue(d Date) Value         { return Value{Tag: TagDate, Bytes: d.Append(nil)} }
func TimeValue(t Time) Value         { return Value{Tag: TagTime, Bytes: t.Append(nil)} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	v := Value{Tag: TagBoolean}
	if b {
		v.bits = 1
	}
	return v
}

// BitString returns a bit-string of nbits bits, most significant bit of
// b[0] first; b must hold (nbits+7)/8 bytes.
func BitString(b []byte, nbits int) Value { return Value{Tag: TagBitString, Bytes: b, N: nbits} }

// CompactArray returns the head of a compact-array of n elements whose
// encoded type description is desc (see AppendTypeDescription); the n
// elements follow it in the slice as ordinary values.
func CompactArray(desc []byte, n int) Value { return Value{Tag: TagCompactArray, Bytes: desc, N: n} }

// IsContainer reports whether children follow the value in a tree.
func (v Value) IsContainer() bool {
	return v.Tag == TagArray || v.Tag == TagStructure || v.Tag == TagCompactArray
}

// IsInteger reports whether the value is an integer, enum or bcd.
func (v Value) IsInteger() bool {
	switch v.Tag {
	case TagInt8, TagInt16, TagInt32, TagInt64, TagUint8, TagUint16, TagUint32, TagUint64, TagEnum, TagBCD:
		return true
	}
	return false
}

// Int returns an integer value as int64 and whether the value is an integer
// that fits (a long64-unsigned above MaxInt64 does not).
func (v Value) Int() (int64, bool) {
	if !v.IsInteger() || (v.Tag == TagUint64 && v.bits > math.MaxInt64) {
		return 0, false
	}
	return int64(v.bits), true
}

// Uint returns an integer value as uint64 and whether it is a non-negative
// integer.
func (v Value) Uint() (uint64, bool) {
	if !v.IsInteger() || (v.Tag.signed() && int64(v.bits) < 0) {
		return 0, false
	}
	return v.bits, true
}

// Bool returns a boolean value (any non-zero byte is true, as decoded).
func (v Value) Bool() (bool, bool) { return v.bits != 0, v.Tag == TagBoolean }

// Float returns a float32 or float64 value.
func (v Value) Float() (float64, bool) {
	switch v.Tag {
	case TagFloat32:
		return float64(math.Float32frombits(uint32(v.bits))), true
	case TagFloat64:
		return math.Float64frombits(v.bits), true
	}
	return 0, false
}

// DateTime returns a date-time value, or an octet-string of 12 bytes read as
// a COSEM date-time (the form profiles and clocks use).
func (v Value) DateTime() (DateTime, error) {
	if v.Tag != TagDateTime && v.Tag != TagOctetString {
		return DateTime{}, fmt.Errorf("axdr: %s is not a date-time", v.Tag)
	}
	return ParseDateTime(v.Bytes)
}

// Equal reports whether two nodes are the same value (children not
// included). A boolean compares by truth, so a decoded 0x05 equals true.
func (v Value) Equal(w Value) bool {
	if v.Tag != w.Tag || v.N != w.N || string(v.Bytes) != string(w.Bytes) {
		return false
	}
	if v.Tag == TagBoolean {
		return (v.bits != 0) == (w.bits != 0)
	}
	return v.bits == w.bits
}

// EqualTrees reports whether two trees hold the same values.
func EqualTrees(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// Next returns the index just past the subtree rooted at vals[i], or -1 if
// the slice ends inside it. Iterating the children of a container:
//
//	for c, k := i+1, 0; k < vals[i].N; c, k = axdr.Next(vals, c), k+1 { ... vals[c] ... }
func Next(vals []Value, i int) int {
	need := 1
	for need > 0 {
		if i >= len(vals) || i < 0 {
			return -1
		}
		if vals[i].IsContainer() {
			need += vals[i].N
		}
		need--
		i++
	}
	return i
}
