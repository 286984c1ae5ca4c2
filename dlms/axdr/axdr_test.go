package axdr_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// unhex decodes hex with any whitespace in it.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TestDecodeDatadriven decodes each input, prints the tree, and checks that
// re-encoding gives the same bytes (inputs under "decode noncanonical" may
// differ, e.g. a long-form length that fits in one byte).
func TestDecodeDatadriven(t *testing.T) {
	datadriven.RunTest(t, "testdata/decode", func(t *testing.T, td *datadriven.TestData) string {
		src := unhex(t, td.Input)
		vals, err := axdr.Decode(nil, src)
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		out, err := axdr.Append(nil, vals)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !td.HasArg("noncanonical") && !bytes.Equal(out, src) {
			t.Errorf("re-encoded % X, want % X", out, src)
		}
		again, err := axdr.Decode(nil, out)
		if err != nil || !axdr.EqualTrees(again, vals) {
			t.Errorf("re-decoded %v (err %v), want %v", again, err, vals)
		}
		return axdr.Format(vals)
	})
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		hex  string
		want error
		at   int
	}{
		{"empty", "", axdr.ErrTruncated, 0},
		{"unknown tag", "07", axdr.ErrTag, 0},
		{"uint32 short", "06 00 00 01", axdr.ErrTruncated, 1},
		{"array count beyond input", "01 82 FF FF 00", axdr.ErrTruncated, 1},
		{"structure nested 33 deep", strings.Repeat("02 01 ", 33) + "00", axdr.ErrTooDeep, 64},
		{"octet-string length beyond input", "09 05 01 02", axdr.ErrTruncated, 2},
		{"length of 5 bytes", "09 85 00 00 00 00 01", axdr.ErrLength, 2},
		{"length 0x80", "09 80", axdr.ErrLength, 2},
		{"bit-string bytes missing", "04 09 FF", axdr.ErrTruncated, 2},
		{"trailing byte", "11 01 00", axdr.ErrTrailing, 2},
		{"date-time short", "19 07 E8 01", axdr.ErrTruncated, 1},
		{"compact null element", "13 00 01 00", axdr.ErrTypeDesc, 1},
		{"compact empty structure", "13 02 00 00", axdr.ErrTypeDesc, 1},
		{"compact array of zero", "13 01 00 00 11 00", axdr.ErrTypeDesc, 1},
		{"compact contents cut mid-element", "13 12 03 00 01 02 FF", axdr.ErrLength, 7},
		{"compact contents beyond input", "13 11 05 01", axdr.ErrTruncated, 3},
		{"compact nested compact", "13 13 11 01 00", axdr.ErrTypeDesc, 1},
		{"compact description too deep", "13 " + strings.Repeat("02 01 ", 40) + "11 01 00", axdr.ErrTooDeep, 63},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vals, err := axdr.Decode(nil, unhex(t, tc.hex))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode(%s) = %v, %v; want %v", tc.hex, vals, err, tc.want)
			}
			var de *axdr.DecodeError
			if !errors.As(err, &de) || de.Offset != tc.at {
				t.Errorf("error %v: want offset %d", err, tc.at)
			}
		})
	}
}

func TestEncodersMatchTreeEncoding(t *testing.T) {
	dt := axdr.DateTime{Date: axdr.Date{Year: 2024, Month: 3, Day: 31, Weekday: 7}, Time: axdr.Time{Hour: 2, Minute: 0, Second: 0, Hundredths: 0}, Deviation: -60, Status: axdr.StatusDaylightSaving}
	for _, tc := range []struct {
		name   string
		direct []byte
		tree   []axdr.Value
		want   string
	}{
		{"null", axdr.AppendNull(nil), []axdr.Value{axdr.Null()}, "00"},
		{"dont-care", axdr.AppendDontCare(nil), []axdr.Value{axdr.DontCare()}, "FF"},
		{"bool", axdr.AppendBool(nil, true), []axdr.Value{axdr.Bool(true)}, "03 01"},
		{"int8", axdr.AppendInt8(nil, -2), []axdr.Value{axdr.Int8(-2)}, "0F FE"},
		{"int16", axdr.AppendInt16(nil, -300), []axdr.Value{axdr.Int16(-300)}, "10 FE D4"},
		{"int32", axdr.AppendInt32(nil, -70000), []axdr.Value{axdr.Int32(-70000)}, "05 FF FE EE 90"},
		{"int64", axdr.AppendInt64(nil, math.MinInt64), []axdr.Value{axdr.Int64(math.MinInt64)}, "14 80 00 00 00 00 00 00 00"},
		{"uint8", axdr.AppendUint8(nil, 200), []axdr.Value{axdr.Uint8(200)}, "11 C8"},
		{"uint16", axdr.AppendUint16(nil, 0xBEEF), []axdr.Value{axdr.Uint16(0xBEEF)}, "12 BE EF"},
		{"uint32", axdr.AppendUint32(nil, 1234), []axdr.Value{axdr.Uint32(1234)}, "06 00 00 04 D2"},
		{"uint64", axdr.AppendUint64(nil, math.MaxUint64), []axdr.Value{axdr.Uint64(math.MaxUint64)}, "15 FF FF FF FF FF FF FF FF"},
		{"enum", axdr.AppendEnum(nil, 30), []axdr.Value{axdr.Enum(30)}, "16 1E"},
		{"bcd", axdr.AppendBCD(nil, 0x42), []axdr.Value{axdr.BCD(0x42)}, "0D 42"},
		{"float32", axdr.AppendFloat32(nil, 1.5), []axdr.Value{axdr.Float32(1.5)}, "17 3F C0 00 00"},
		{"float64", axdr.AppendFloat64(nil, -2), []axdr.Value{axdr.Float64(-2)}, "18 C0 00 00 00 00 00 00 00"},
		{"octet-string", axdr.AppendOctetString(nil, []byte{0, 0, 1, 0, 0, 0xFF}), []axdr.Value{axdr.OctetString([]byte{0, 0, 1, 0, 0, 0xFF})}, "09 06 00 00 01 00 00 FF"},
		{"visible-string", axdr.AppendVisibleString(nil, "AMG"), []axdr.Value{axdr.VisibleString("AMG")}, "0A 03 41 4D 47"},
		{"utf8-string", axdr.AppendUTF8String(nil, "é"), []axdr.Value{axdr.UTF8String("é")}, "0C 02 C3 A9"},
		{"bit-string", axdr.AppendBitString(nil, []byte{0xA5, 0x80}, 9), []axdr.Value{axdr.BitString([]byte{0xA5, 0x80}, 9)}, "04 09 A5 80"},
		{"date-time", axdr.AppendDateTime(nil, dt), []axdr.Value{axdr.DateTimeValue(dt)}, "19 07 E8 03 1F 07 02 00 00 00 FF C4 80"},
		{"date", axdr.AppendDate(nil, dt.Date), []axdr.Value{axdr.DateValue(dt.Date)}, "1A 07 E8 03 1F 07"},
		{"time", axdr.AppendTime(nil, dt.Time), []axdr.Value{axdr.TimeValue(dt.Time)}, "1B 02 00 00 00"},
		{"structure", axdr.AppendUint8(axdr.AppendStructure(nil, 1), 1), []axdr.Value{axdr.Structure(1), axdr.Uint8(1)}, "02 01 11 01"},
		{"array long count", axdr.AppendArray(nil, 0), []axdr.Value{axdr.Array(0)}, "01 00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.want)
			if !bytes.Equal(tc.direct, want) {
				t.Errorf("Append%s = % X, want % X", tc.name, tc.direct, want)
			}
			got, err := axdr.Append(nil, tc.tree)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Append(tree) = % X, %v; want % X", got, err, want)
			}
			back, err := axdr.Decode(nil, want)
			if err != nil || !axdr.EqualTrees(back, tc.tree) {
				t.Errorf("Decode = %v, %v; want %v", back, err, tc.tree)
			}
		})
	}
}

func TestLengthForms(t *testing.T) {
	for _, n := range []int{0, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x1000000} {
		b := axdr.AppendLength(nil, n)
		d := axdr.NewDecoder(b)
		if got := d.Length(); got != n || d.Err() != nil || d.Len() != 0 {
			t.Errorf("length %d: encoded % X, decoded %d (err %v)", n, b, got, d.Err())
		}
	}
	if got := axdr.AppendLength(nil, 0x80); !bytes.Equal(got, []byte{0x81, 0x80}) {
		t.Errorf("AppendLength(0x80) = % X, want 81 80", got)
	}
}

func TestAccessors(t *testing.T) {
	if v, ok := axdr.Int16(-5).Int(); !ok || v != -5 {
		t.Errorf("Int16(-5).Int() = %d, %v", v, ok)
	}
	if _, ok := axdr.Int16(-5).Uint(); ok {
		t.Error("Int16(-5).Uint() ok, want not")
	}
	if _, ok := axdr.Uint64(math.MaxUint64).Int(); ok {
		t.Error("Uint64(max).Int() ok, want overflow")
	}
	if v, ok := axdr.Uint64(math.MaxUint64).Uint(); !ok || v != math.MaxUint64 {
		t.Errorf("Uint64(max).Uint() = %d, %v", v, ok)
	}
	if f, ok := axdr.Float32(0.25).Float(); !ok || f != 0.25 {
		t.Errorf("Float32(0.25).Float() = %v, %v", f, ok)
	}
	if _, ok := axdr.VisibleString("x").Int(); ok {
		t.Error("string.Int() ok, want not")
	}
	vals, err := axdr.Decode(nil, unhex(t, "02 03 01 02 11 01 11 02 03 00 12 00 07"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for c, k := 1, 0; k < vals[0].N; c, k = axdr.Next(vals, c), k+1 {
		got = append(got, vals[c].String())
	}
	want := "array[2]|boolean false|long-unsigned 7"
	if strings.Join(got, "|") != want {
		t.Errorf("children = %q, want %q", strings.Join(got, "|"), want)
	}
	if axdr.Next(vals, 0) != len(vals) || axdr.Next(vals[:3], 0) != -1 {
		t.Errorf("Next over whole tree = %d, over cut tree = %d", axdr.Next(vals, 0), axdr.Next(vals[:3], 0))
	}
}

func TestAppendRejectsBrokenTrees(t *testing.T) {
	for _, tc := range []struct {
		name string
		tree []axdr.Value
	}{
		{"structure missing children", []axdr.Value{axdr.Structure(2), axdr.Uint8(1)}},
		{"values after root", []axdr.Value{axdr.Uint8(1), axdr.Uint8(2)}},
		{"date-time of 3 bytes", []axdr.Value{{Tag: axdr.TagDateTime, Bytes: []byte{1, 2, 3}}}},
		{"bit-string size mismatch", []axdr.Value{axdr.BitString([]byte{1}, 9)}},
		{"invalid tag", []axdr.Value{{Tag: 7}}},
		{"compact element mismatch", []axdr.Value{axdr.CompactArray([]byte{0x11}, 1), axdr.Uint16(1)}},
		{"compact bad description", []axdr.Value{axdr.CompactArray([]byte{0x00}, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if b, err := axdr.Append(nil, tc.tree); err == nil {
				t.Errorf("Append(%v) = % X, want error", tc.tree, b)
			}
		})
	}
}

func TestCompactArrayFromExample(t *testing.T) {
	row := []axdr.Value{axdr.Structure(2), axdr.Uint16(1), axdr.OctetString([]byte{0xAB})}
	desc, err := axdr.AppendTypeDescription(nil, row)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "02 02 12 09"); !bytes.Equal(desc, want) {
		t.Fatalf("description % X, want % X", desc, want)
	}
	tree := append([]axdr.Value{axdr.CompactArray(desc, 2)}, row...)
	tree = append(tree, axdr.Structure(2), axdr.Uint16(2), axdr.OctetString(nil))
	got, err := axdr.Append(nil, tree)
	if err != nil {
		t.Fatal(err)
	}
	// 13 | 02 02 12 09 | len 7 | 0001 01 AB | 0002 00
	if want := unhex(t, "13 02 02 12 09 07 00 01 01 AB 00 02 00"); !bytes.Equal(got, want) {
		t.Errorf("compact-array % X, want % X", got, want)
	}
	back, err := axdr.Decode(nil, got)
	if err != nil || !axdr.EqualTrees(back, tree) {
		t.Errorf("Decode = %v, %v; want %v", back, err, tree)
	}
}

func TestDecodeReusesSliceWithoutAllocating(t *testing.T) {
	src := axdr.AppendArray(nil, 50)
	for i := range 50 {
		src = axdr.AppendStructure(src, 2)
		src = axdr.AppendOctetString(src, []byte("0123456789AB"))
		src = axdr.AppendUint32(src, uint32(i))
	}
	vals, err := axdr.Decode(nil, src)
	if err != nil || len(vals) != 151 {
		t.Fatalf("Decode: %d values, %v", len(vals), err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		vals, err = axdr.Decode(vals[:0], src)
	})
	if allocs != 0 || err != nil {
		t.Errorf("steady-state Decode: %v allocs/op, err %v; want 0", allocs, err)
	}
	buf := make([]byte, 0, len(src))
	allocs = testing.AllocsPerRun(100, func() { buf, _ = axdr.Append(buf[:0], vals) })
	if allocs != 0 || !bytes.Equal(buf, src) {
		t.Errorf("steady-state Append: %v allocs/op, same bytes %v", allocs, bytes.Equal(buf, src))
	}
}

func ExampleDecode() {
	vals, err := axdr.Decode(nil, []byte{0x02, 0x02, 0x0F, 0xFE, 0x16, 0x1E})
	if err != nil {
		panic(err)
	}
	fmt.Print(axdr.Format(vals))
	// Output:
	// structure[2]
	// ├── integer -2
	// └── enum 30
}
