package cosem

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Text renders the value tree rooted at v[0] for people, compactly:
// integers scaled by su when su is not nil ("230.1 V"), date-times (also
// as octet-string(12)) in RFC 3339 when fully specified, printable
// octet-strings quoted, other octet-strings in hex, structures as {…} and
// arrays as […].
func Text(v []axdr.Value, su *ScalerUnit) string {
	var b strings.Builder
	writeText(&b, v, su)
	return b.String()
}

func writeText(b *strings.Builder, v []axdr.Value, su *ScalerUnit) int {
	if len(v) == 0 {
		b.WriteString("?")
		return 0
	}
	x := v[0]
	if x.IsContainer() {
		open, end := "{", "}"
		if x.Tag != axdr.TagStructure {
			open, end = "[", "]"
		}
		b.WriteString(open)
		i := 1
		for k := 0; k < x.N; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			if i >= len(v) {
				b.WriteString("?")
				break
			}
			i += writeText(b, v[i:], nil)
		}
		b.WriteString(end)
		return i
	}
	b.WriteString(scalarText(x, su))
	return 1
}

func scalarText(x axdr.Value, su *ScalerUnit) string {
	if s, ok := scaledNumber(x, su); ok {
		if su != nil && su.Unit.Symbol() != "" {
			return s + " " + su.Unit.Symbol()
		}
		return s
	}
	switch x.Tag {
	case axdr.TagNull:
		return "null"
	case axdr.TagBoolean:
		v, _ := x.Bool()
		return strconv.FormatBool(v)
	case axdr.TagFloat32, axdr.TagFloat64:
		f, _ := x.Float()
		return strconv.FormatFloat(f, 'g', -1, 64)
	case axdr.TagVisibleString, axdr.TagUTF8String:
		return strconv.Quote(string(x.Bytes))
	case axdr.TagDateTime, axdr.TagOctetString:
		if t, ok := dateTimeText(x); ok {
			return t
		}
		if x.Tag == axdr.TagOctetString {
			if printable(x.Bytes) || len(x.Bytes) == 0 {
				return strconv.Quote(string(x.Bytes))
			}
			return strings.ToUpper(hex.EncodeToString(x.Bytes))
		}
	}
	s := x.String() // "date 2024-03-31 07", "bit-string[8] 1010…", …
	if _, rest, ok := strings.Cut(s, " "); ok && x.Tag != axdr.TagDontCare {
		return rest
	}
	return s
}

// scaledNumber formats an integer (not enum, not bcd) exactly, scaled.
func scaledNumber(x axdr.Value, su *ScalerUnit) (string, bool) {
	if !x.IsInteger() || x.Tag == axdr.TagEnum || x.Tag == axdr.TagBCD {
		return "", false
	}
	var scale ScalerUnit
	if su != nil {
		scale = *su
	}
	if v, ok := x.Int(); ok {
		return scale.Format(v), true
	}
	u, _ := x.Uint()
	return scale.FormatUint(u), true
}

// dateTimeText formats a date-time (or an octet-string of 12 bytes that
// reads as one) in RFC 3339, or in the COSEM notation when fields are not
// specified.
func dateTimeText(x axdr.Value) (string, bool) {
	if len(x.Bytes) != axdr.DateTimeSize {
		return "", false
	}
	dt, err := axdr.ParseDateTime(x.Bytes)
	if err != nil || !plausible(dt) {
		return "", false
	}
	t, err := dt.TimeIn(nil)
	if err != nil {
		return dt.String(), true
	}
	if _, off := t.Zone(); off == 0 {
		t = t.UTC()
	}
	return t.Format(time.RFC3339Nano), true
}

// plausible reports whether every field of dt is in range or "not
// specified", so that an octet-string(12) may be taken for a date-time.
func plausible(dt axdr.DateTime) bool {
	in := func(v, lo, hi uint8, special ...uint8) bool {
		if v == axdr.NotSpecified || (v >= lo && v <= hi) {
			return true
		}
		for _, s := range special {
			if v == s {
				return true
			}
		}
		return false
	}
	return in(dt.Month, 1, 12, axdr.MonthDSTEnd, axdr.MonthDSTBegin) && in(dt.Day, 1, 31, axdr.DaySecondLast, axdr.DayLast) &&
		in(dt.Weekday, 1, 7) && in(dt.Hour, 0, 23) && in(dt.Minute, 0, 59) && in(dt.Second, 0, 59) && in(dt.Hundredths, 0, 99)
}

func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c >= 0x80 || !unicode.IsPrint(rune(c)) {
			return false
		}
	}
	return true
}

// JSON returns the value tree rooted at v[0] as a JSON-ready value: numbers
// (scaled exactly by su when given) as json.Number, date-times as RFC 3339
// strings, printable octet-strings as strings and others as hex strings,
// structures and arrays as JSON arrays.
func JSON(v []axdr.Value, su *ScalerUnit) any {
	out, _ := jsonValue(v, su)
	return out
}

func jsonValue(v []axdr.Value, su *ScalerUnit) (any, int) {
	if len(v) == 0 {
		return nil, 0
	}
	x := v[0]
	if x.IsContainer() {
		items := make([]any, 0, min(x.N, len(v)))
		i := 1
		for k := 0; k < x.N && i < len(v); k++ {
			item, n := jsonValue(v[i:], nil)
			items = append(items, item)
			i += n
		}
		return items, i
	}
	if s, ok := scaledNumber(x, su); ok {
		return json.Number(s), 1
	}
	switch x.Tag {
	case axdr.TagNull, axdr.TagDontCare:
		return nil, 1
	case axdr.TagBoolean:
		b, _ := x.Bool()
		return b, 1
	case axdr.TagEnum, axdr.TagBCD:
		u, _ := x.Uint()
		return u, 1
	case axdr.TagFloat32, axdr.TagFloat64:
		f, _ := x.Float()
		return f, 1
	case axdr.TagVisibleString, axdr.TagUTF8String:
		return string(x.Bytes), 1
	case axdr.TagDateTime, axdr.TagOctetString:
		if t, ok := dateTimeText(x); ok {
			return t, 1
		}
		if x.Tag == axdr.TagOctetString && printable(x.Bytes) {
			return string(x.Bytes), 1
		}
		if x.Tag == axdr.TagOctetString {
			return strings.ToUpper(hex.EncodeToString(x.Bytes)), 1
		}
	}
	return scalarText(x, nil), 1
}

// ParseText reads a value typed on a command line, for a SET or a method
// parameter. "TYPE:TEXT" names the Data type (the Blue Book names:
// "double-long-unsigned:5", "octet-string:0x0102", "long:-15", "null");
// otherwise the value takes the type of like, the attribute's current
// value, and integers are read in units of su when su is not nil ("230.1"
// for a register in 0.1 V). Octet-strings are text, or hex after "0x";
// an octet-string(12) that holds a date-time takes an RFC 3339 time.
func ParseText(text string, like []axdr.Value, su *ScalerUnit) ([]axdr.Value, error) {
	if name, rest, ok := strings.Cut(text, ":"); ok {
		if tag, known := tagByName(name); known {
			return parseAs(rest, axdr.Value{Tag: tag}, nil)
		}
	}
	if text == "null" {
		return []axdr.Value{axdr.Null()}, nil
	}
	if len(like) == 0 {
		return nil, fmt.Errorf("cosem: %q: give the type as TYPE:VALUE", text)
	}
	if like[0].IsContainer() {
		return nil, fmt.Errorf("cosem: %q: a %s cannot be typed on a command line", text, like[0].Tag)
	}
	return parseAs(text, like[0], su)
}

func tagByName(name string) (axdr.Tag, bool) {
	for t := 0; t < 256; t++ {
		if tag := axdr.Tag(t); tag.Valid() && tag.String() == name && !(axdr.Value{Tag: tag}).IsContainer() {
			return tag, true
		}
	}
	return 0, false
}

func parseAs(text string, like axdr.Value, su *ScalerUnit) ([]axdr.Value, error) {
	bad := func(err error) ([]axdr.Value, error) {
		return nil, fmt.Errorf("cosem: %q is not a %s: %v", text, like.Tag, err)
	}
	var scale ScalerUnit
	if su != nil {
		scale = *su
	}
	switch like.Tag {
	case axdr.TagNull:
		return []axdr.Value{axdr.Null()}, nil
	case axdr.TagBoolean:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return bad(err)
		}
		return []axdr.Value{axdr.Bool(b)}, nil
	case axdr.TagInt8, axdr.TagInt16, axdr.TagInt32, axdr.TagInt64:
		v, err := scale.Parse(text)
		if err != nil {
			return bad(err)
		}
		bits := map[axdr.Tag]int{axdr.TagInt8: 8, axdr.TagInt16: 16, axdr.TagInt32: 32, axdr.TagInt64: 64}[like.Tag]
		if bits < 64 && (v < -1<<(bits-1) || v >= 1<<(bits-1)) {
			return bad(fmt.Errorf("out of range"))
		}
		return []axdr.Value{intOf(like.Tag, v)}, nil
	case axdr.TagUint8, axdr.TagUint16, axdr.TagUint32, axdr.TagUint64, axdr.TagEnum, axdr.TagBCD:
		if like.Tag == axdr.TagUint64 && scale.Scaler == 0 {
			u, err := strconv.ParseUint(text, 10, 64)
			if err != nil {
				return bad(err)
			}
			return []axdr.Value{axdr.Uint64(u)}, nil
		}
		v, err := scale.Parse(text)
		if err != nil {
			return bad(err)
		}
		bits := map[axdr.Tag]int{axdr.TagUint8: 8, axdr.TagEnum: 8, axdr.TagBCD: 8, axdr.TagUint16: 16, axdr.TagUint32: 32, axdr.TagUint64: 63}[like.Tag]
		if v < 0 || v >= 1<<bits {
			return bad(fmt.Errorf("out of range"))
		}
		return []axdr.Value{intOf(like.Tag, v)}, nil
	case axdr.TagFloat32, axdr.TagFloat64:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return bad(err)
		}
		if like.Tag == axdr.TagFloat32 {
			return []axdr.Value{axdr.Float32(float32(f))}, nil
		}
		return []axdr.Value{axdr.Float64(f)}, nil
	case axdr.TagVisibleString:
		return []axdr.Value{axdr.VisibleString(text)}, nil
	case axdr.TagUTF8String:
		return []axdr.Value{axdr.UTF8String(text)}, nil
	case axdr.TagDateTime, axdr.TagOctetString:
		if like.Tag == axdr.TagDateTime || (len(like.Bytes) == axdr.DateTimeSize && isDateTime(like)) {
			t, err := time.Parse(time.RFC3339, text)
			if err != nil {
				return bad(err)
			}
			dt := axdr.FromTime(t).Append(nil)
			if like.Tag == axdr.TagDateTime {
				return []axdr.Value{{Tag: axdr.TagDateTime, Bytes: dt}}, nil
			}
			return []axdr.Value{axdr.OctetString(dt)}, nil
		}
		if h, ok := strings.CutPrefix(text, "0x"); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				return bad(err)
			}
			return []axdr.Value{axdr.OctetString(b)}, nil
		}
		return []axdr.Value{axdr.OctetString([]byte(text))}, nil
	}
	return nil, fmt.Errorf("cosem: %q: values of type %s cannot be typed on a command line", text, like.Tag)
}

func isDateTime(v axdr.Value) bool {
	_, ok := dateTimeText(v)
	return ok
}

// intOf builds an integer value of tag t.
func intOf(t axdr.Tag, v int64) axdr.Value {
	switch t {
	case axdr.TagInt8:
		return axdr.Int8(int8(v))
	case axdr.TagInt16:
		return axdr.Int16(int16(v))
	case axdr.TagInt32:
		return axdr.Int32(int32(v))
	case axdr.TagInt64:
		return axdr.Int64(v)
	case axdr.TagUint8:
		return axdr.Uint8(uint8(v))
	case axdr.TagUint16:
		return axdr.Uint16(uint16(v))
	case axdr.TagUint32:
		return axdr.Uint32(uint32(v))
	case axdr.TagEnum:
		return axdr.Enum(uint8(v))
	case axdr.TagBCD:
		return axdr.BCD(uint8(v))
	}
	return axdr.Uint64(uint64(v))
}
