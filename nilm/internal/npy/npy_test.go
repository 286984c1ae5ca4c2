package npy

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
)

// file builds a .npy file by hand from a header text (padded here) and data.
func file(header string, data []byte) []byte {
	b := []byte(magic + "\x01\x00")
	pad := 64 - (preamble+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	h := header + strings.Repeat(" ", pad) + "\n"
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(append(b, h...), data...)
}

func le64(vals ...uint64) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func TestDecodeCrafted(t *testing.T) {
	f := func(v float64) uint64 { return math.Float64bits(v) }
	tests := []struct {
		name  string
		in    []byte
		shape []int
		float []float64
		ints  []int64
	}{
		{"2x2 float64", file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", le64(f(1), f(-2.5), f(0), f(1e300))),
			[]int{2, 2}, []float64{1, -2.5, 0, 1e300}, nil},
		{"1-d int64", file("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", le64(1, 0, math.MaxUint64)),
			[]int{3}, nil, []int64{1, 0, -1}},
		{"0-d scalar", file("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", le64(7)),
			[]int{}, nil, []int64{7}},
		{"empty", file("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 5), }", nil),
			[]int{0, 5}, []float64{}, nil},
		{"keys in another order, no trailing comma", file("{'shape': (1,), 'fortran_order': False, 'descr': '<i4'}", []byte{0xfe, 0xff, 0xff, 0xff}),
			[]int{1}, nil, []int64{-2}},
		{"float32", file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.5))),
			[]int{1}, []float64{0.5}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Decode(tc.in)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !slices.Equal(a.Shape, tc.shape) || !slices.Equal(a.Float, tc.float) || !slices.Equal(a.Int, tc.ints) {
				t.Errorf("Decode = shape %v float %v int %v, want %v %v %v", a.Shape, a.Float, a.Int, tc.shape, tc.float, tc.ints)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	good := "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
	data := le64(0, 0)
	unaligned := []byte(magic + "\x01\x00\x05\x00{}  \n")
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty input", nil},
		{"bad magic", append([]byte("\x93NUMPX\x01\x00"), file(good, data)[8:]...)},
		{"version 2.0", append([]byte(magic+"\x02\x00"), file(good, data)[8:]...)},
		{"header length beyond input", []byte(magic + "\x01\x00\xff\xff{}")},
		{"header not aligned", unaligned},
		{"no newline", func() []byte { b := file(good, data); b[len(b)-len(data)-1] = ' '; return b }()},
		{"big-endian", file(strings.Replace(good, "<f8", ">f8", 1), data)},
		{"object dtype", file(strings.Replace(good, "<f8", "|O", 1), data)},
		{"fortran order", file(strings.Replace(good, "False", "True", 1), data)},
		{"missing shape", file("{'descr': '<f8', 'fortran_order': False, }", data)},
		{"repeated key", file("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data)},
		{"unknown key", file("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1, }", data)},
		{"1-tuple without comma", file(strings.Replace(good, "(2,)", "(2)", 1), data)},
		{"negative dimension", file(strings.Replace(good, "(2,)", "(-2,)", 1), data)},
		{"leading zero", file(strings.Replace(good, "(2,)", "(02,)", 1), data)},
		{"huge shape", file(strings.Replace(good, "(2,)", "(1000000000000, 1000000000000)", 1), data)},
		{"data short", file(good, data[:15])},
		{"data long", file(good, append(data, 0))},
		{"text after dict", file(good+" x", data)},
		{"non-ascii header", file(strings.Replace(good, "descr", "d\u00e9scr", 1), data)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Decode(tc.in)
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Decode = %+v, %v; want ErrFormat", a, err)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	in := &Array{Descr: Float64, Shape: []int{2, 3}, Float: []float64{1, 2, 3, 4, 5, math.Inf(-1)}}
	b, err := Encode(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)-6*8 != 128 || string(b[10:60]) != "{'descr': '<f8', 'fortran_order': False, 'shape': " {
		t.Errorf("header = %q (total %d), want NumPy's layout padded to 128", b[:len(b)-48], len(b)-48)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Shape, in.Shape) || !slices.Equal(out.Float, in.Float) {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
	if _, err := Encode(nil, &Array{Descr: Int64, Shape: []int{3}, Int: []int64{1}}); err == nil {
		t.Error("Encode accepted 1 element for shape (3,)")
	}
}

// TestDecodePLAIDHeaders reads the real files' headers (written by NumPy)
// when the shared data is present.
func TestDecodePLAIDHeaders(t *testing.T) {
	b, err := os.ReadFile(testenv.SharedFile(t, "plaid-events/labels.npy"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Descr != Int64 || !slices.Equal(a.Shape, []int{250}) {
		t.Errorf("labels.npy = %s %v, want <i8 (250,)", a.Descr, a.Shape)
	}
}
