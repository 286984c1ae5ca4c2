package axdr

import (
	"encoding/binary"
	"fmt"
	"math"
)

// AppendLength appends n as an A-XDR length: one byte below 0x80, else
// 0x80|k followed by the k big-endian bytes of n.
func AppendLength(dst []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n <= 0xFF:
		return append(dst, 0x81, byte(n))
	case n <= 0xFFFF:
		return append(dst, 0x82, byte(n>>8), byte(n))
	case n <= 0xFFFFFF:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// Append-style encoders for tagged values. Containers write their head only;
// the caller appends the children.

func AppendNull(dst []byte) []byte         { return append(dst, byte(TagNull)) }
func AppendDontCare(dst []byte) []byte     { return append(dst, byte(TagDontCare)) }
func AppendArray(dst []byte, n int) []byte { return AppendLength(append(dst, byte(TagArray)), n) }
func AppendStructure(dst []byte, n int) []byte {
	return AppendLength(append(dst, byte(TagStructure)), n)
}
func AppendInt8(dst []byte, v int8) []byte   { return append(dst, byte(TagInt8), byte(v)) }
func AppendUint8(dst []byte, v uint8) []byte { return append(dst, byte(TagUint8), v) }
func AppendEnum(dst []byte, v uint8) []byte  { return append(dst, byte(TagEnum), v) }
func AppendBCD(dst []byte, v uint8) []byte   { return append(dst, byte(TagBCD), v) }
func AppendInt16(dst []byte, v int16) []byte {
	return binary.BigEndian.AppendUint16(append(dst, byte(TagInt16)), uint16(v))
}
func AppendUint16(dst []byte, v uint16) []byte {
	return binary.BigEndian.AppendUint16(append(dst, byte(TagUint16)), v)
}
func AppendInt32(dst []byte, v int32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(TagInt32)), uint32(v))
}
func AppendUint32(dst []byte, v uint32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(TagUint32)), v)
}
func AppendInt64(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, byte(TagInt64)), uint64(v))
}
func AppendUint64(dst []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, byte(TagUint64)), v)
}
func AppendOctetString(dst, b []byte) []byte {
	return append(AppendLength(append(dst, byte(TagOctetString)), len(b)), b...)
}
func AppendVisibleString(dst []byte, s string) []byte {
	return append(AppendLength(append(dst, byte(TagVisibleString)), len(s)), s...)
}
func AppendUTF8String(dst []byte, s string) []byte {
	return append(AppendLength(append(dst, byte(TagUTF8String)), len(s)), s...)
}
func AppendDateTime(dst []byte, t DateTime) []byte { return t.Append(append(dst, byte(TagDateTime))) }
func AppendDate(dst []byte, d Date) []byte         { return d.Append(append(dst, byte(TagDate))) }
func AppendTime(dst []byte, t Time) []byte         { return t.Append(append(dst, byte(TagTime))) }

// AppendBool appends a boolean (0x00 or 0x01).
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, byte(TagBoolean), 1)
	}
	return append(dst, byte(TagBoolean), 0)
}

// AppendFloat32 appends a float32 (IEEE 754 single, big-endian).
func AppendFloat32(dst []byte, v float32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(TagFloat32)), math.Float32bits(v))
}

// AppendFloat64 appends a float64 (IEEE 754 double, big-endian).
func AppendFloat64(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, byte(TagFloat64)), math.Float64bits(v))
}

// AppendBitString appends a bit-string of nbits bits taken from b, most
// significant bit of b[0] first. b must hold (nbits+7)/8 bytes; a shorter b
// is the caller's mistake and panics, like a short buffer given to
// binary.PutUvarint.
func AppendBitString(dst, b []byte, nbits int) []byte {
	return append(AppendLength(append(dst, byte(TagBitString)), nbits), b[:(nbits+7)/8]...)
}

// Append encodes the tree vals (one root value and all its descendants,
// nothing more) and appends it to dst. It fails on a tree that does not hold
// together: a container with more children than the slice, fixed-size
// contents of the wrong size, a compact-array that does not match its
// description.
func Append(dst []byte, vals []Value) ([]byte, error) {
	dst, rest, err := appendTree(dst, vals)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%w: %d values after the tree", ErrTrailing, len(rest))
	}
	return dst, err
}

// AppendValue encodes the tree rooted at vals[0] and returns the values that
// follow it, for encoding several trees held in one slice.
func AppendValue(dst []byte, vals []Value) ([]byte, []Value, error) {
	return appendTree(dst, vals)
}

// appendTree encodes the tree at vals[0] without recursion: in preorder,
// a container's head is written when met, and need counts the values still
// owed to open containers.
func appendTree(dst []byte, vals []Value) ([]byte, []Value, error) {
	need, i := 1, 0
	var err error
	for ; need > 0; need-- {
		if i >= len(vals) {
			return dst, nil, fmt.Errorf("%w: tree ends %d values early", ErrLength, need)
		}
		v := &vals[i]
		switch v.Tag {
		case TagArray, TagStructure:
			if v.N < 0 {
				return dst, nil, fmt.Errorf("%w: %s of %d", ErrLength, v.Tag, v.N)
			}
			dst = AppendLength(append(dst, byte(v.Tag)), v.N)
			need += v.N
			i++
		case TagCompactArray:
			var rest []Value
			if dst, rest, err = appendCompact(dst, v, vals[i+1:]); err != nil {
				return dst, nil, err
			}
			i = len(vals) - len(rest)
		default:
			if dst, err = appendScalar(dst, v); err != nil {
				return dst, nil, err
			}
			i++
		}
	}
	return dst, vals[i:], nil
}

func appendCompact(dst []byte, head *Value, vals []Value) ([]byte, []Value, error) {
	if head.N < 0 || head.N > len(vals) {
		return dst, nil, fmt.Errorf("%w: compact-array of %d, %d values left", ErrLength, head.N, len(vals))
	}
	check := NewDecoder(head.Bytes)
	check.skipTypeDesc(2)
	if check.err != nil || check.Len() != 0 {
		return dst, nil, fmt.Errorf("%w: % X", ErrTypeDesc, head.Bytes)
	}
	dst = append(append(dst, byte(TagCompactArray)), head.Bytes...)
	start := len(dst)
	var err error
	for i := 0; i < head.N; i++ {
		desc := NewDecoder(head.Bytes)
		if dst, vals, err = appendCompactContents(dst, vals, &desc); err != nil {
			return dst, nil, err
		}
	}
	// The contents' length prefix goes before them: shift them up by its
	// size. Compact arrays are rare enough for the copy not to matter.
	n := len(dst) - start
	prefix := AppendLength(nil, n)
	dst = append(dst, prefix...)
	copy(dst[start+len(prefix):], dst[start:start+n])
	copy(dst[start:], prefix)
	return dst, vals, nil
}

// appendScalar appends a value that has no children.
func appendScalar(dst []byte, v *Value) ([]byte, error) {
	switch tagKind[v.Tag] {
	case kindFixed:
		size := int(fixedSize[v.Tag])
		switch v.Tag {
		case TagDateTime, TagDate, TagTime:
			if len(v.Bytes) != size {
				return dst, fmt.Errorf("%w: %s of %d bytes", ErrLength, v.Tag, len(v.Bytes))
			}
			return append(append(dst, byte(v.Tag)), v.Bytes...), nil
		case TagBoolean:
			if v.bits != 0 {
				return append(dst, byte(v.Tag), 1), nil
			}
			return append(dst, byte(v.Tag), 0), nil
		}
		dst = append(dst, byte(v.Tag))
		switch size {
		case 1:
			return append(dst, byte(v.bits)), nil
		case 2:
			return binary.BigEndian.AppendUint16(dst, uint16(v.bits)), nil
		case 4:
			return binary.BigEndian.AppendUint32(dst, uint32(v.bits)), nil
		case 8:
			return binary.BigEndian.AppendUint64(dst, v.bits), nil
		}
		return dst, nil // null-data, dont-care
	case kindString:
		return append(AppendLength(append(dst, byte(v.Tag)), len(v.Bytes)), v.Bytes...), nil
	case kindBits:
		if v.N < 0 || len(v.Bytes) != (v.N+7)/8 {
			return dst, fmt.Errorf("%w: bit-string of %d bits in %d bytes", ErrLength, v.N, len(v.Bytes))
		}
		return append(AppendLength(append(dst, byte(v.Tag)), v.N), v.Bytes...), nil
	}
	return dst, fmt.Errorf("%w: %s", ErrTag, v.Tag)
}
