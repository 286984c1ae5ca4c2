package axdr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// String describes one node: "double-long-unsigned 1234", "octet-string[6]
// 0000010000FF", "visible-string \"abc\"", "structure[5]". Children are not
// included; see WriteTree.
func (v Value) String() string {
	switch v.Tag {
	case TagNull, TagDontCare:
		return v.Tag.String()
	case TagArray, TagStructure:
		return fmt.Sprintf("%s[%d]", v.Tag, v.N)
	case TagCompactArray:
		return fmt.Sprintf("compact-array[%d] desc=%X", v.N, v.Bytes)
	case TagBoolean:
		return "boolean " + strconv.FormatBool(v.bits != 0)
	case TagInt8, TagInt16, TagInt32, TagInt64:
		return v.Tag.String() + " " + strconv.FormatInt(int64(v.bits), 10)
	case TagUint8, TagUint16, TagUint32, TagUint64, TagEnum:
		return v.Tag.String() + " " + strconv.FormatUint(v.bits, 10)
	case TagBCD:
		return fmt.Sprintf("bcd 0x%02X", v.bits)
	case TagFloat32:
		return "float32 " + strconv.FormatFloat(float64(math.Float32frombits(uint32(v.bits))), 'g', -1, 32)
	case TagFloat64:
		return "float64 " + strconv.FormatFloat(math.Float64frombits(v.bits), 'g', -1, 64)
	case TagOctetString:
		return fmt.Sprintf("octet-string[%d] %X", len(v.Bytes), v.Bytes)
	case TagVisibleString, TagUTF8String:
		return fmt.Sprintf("%s %q", v.Tag, v.Bytes)
	case TagBitString:
		var b strings.Builder
		fmt.Fprintf(&b, "bit-string[%d] ", v.N)
		for i := 0; i < v.N && i/8 < len(v.Bytes); i++ {
			b.WriteByte('0' + v.Bytes[i/8]>>(7-uint(i%8))&1)
		}
		return b.String()
	case TagDateTime:
		if dt, err := ParseDateTime(v.Bytes); err == nil {
			return "date-time " + dt.String()
		}
	case TagDate:
		if d, err := ParseDate(v.Bytes); err == nil {
			return "date " + d.String()
		}
	case TagTime:
		if t, err := ParseTime(v.Bytes); err == nil {
			return "time " + t.String()
		}
	}
	return fmt.Sprintf("%s % X", v.Tag, v.Bytes)
}

// WriteTree writes the tree rooted at vals[0]: the root's description on the
// current line (after whatever the caller wrote), then each descendant on
// its own line, drawn with box characters after indent. It returns the
// number of values the tree spans.
func WriteTree(b *strings.Builder, vals []Value, indent string) int {
	if len(vals) == 0 {
		b.WriteString("<missing>\n")
		return 0
	}
	b.WriteString(vals[0].String())
	b.WriteByte('\n')
	i := 1
	if !vals[0].IsContainer() {
		return i
	}
	for k := 0; k < vals[0].N; k++ {
		last := k == vals[0].N-1
		b.WriteString(indent)
		next := indent
		if last {
			b.WriteString("└── ")
			next += "    "
		} else {
			b.WriteString("├── ")
			next += "│   "
		}
		if i >= len(vals) {
			b.WriteString("<missing>\n")
			return i
		}
		i += WriteTree(b, vals[i:], next)
	}
	return i
}

// Format writes every tree in vals, one after the other.
func Format(vals []Value) string {
	var b strings.Builder
	for i := 0; i < len(vals); {
		n := WriteTree(&b, vals[i:], "")
		if n == 0 {
			break
		}
		i += n
	}
	return b.String()
}
