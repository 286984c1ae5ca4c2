package samplecsv

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// readAll reads every frame, in chunks of 3 frames.
func readAll(r *Reader) ([]float64, error) {
	var out []float64
	buf := make([]float64, 3*r.Channels())
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n*r.Channels()]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestReadReordersColumnsIntoFrames(t *testing.T) {
	in := "\xef\xbb\xbfic, uc ,ia,ua\r\n1,2,3,4\r\n-0.5e1 , 6,  7,8\n"
	r, err := NewReader(strings.NewReader(in), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if r.Phases() != [3]bool{true, false, true} || r.Channels() != 4 {
		t.Fatalf("phases %v channels %d", r.Phases(), r.Channels())
	}
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{4, 3, 2, 1, 8, 7, 6, -5} // ua, ia, uc, ic
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if r.Line() != 3 {
		t.Errorf("Line() = %d", r.Line())
	}
}

// Every bad input gives FILE:LINE: reason, exactly.
func TestBadInput(t *testing.T) {
	cases := []struct{ name, in, msg string }{
		{"empty file", "", "x.csv:1: empty file: want a header naming channels from ua,ia,ub,ib,uc,ic"},
		{"unknown column", "ua,ia,ux\n", `x.csv:1: unknown column "ux": want ua, ia, ub, ib, uc or ic`},
		{"empty column name", "ua,,ia\n", `x.csv:1: unknown column "": want ua, ia, ub, ib, uc or ic`},
		{"duplicate column", "ua,ia,ua\n", `x.csv:1: duplicate column "ua"`},
		{"u without i", "ua,ia,ub\n", "x.csv:1: phase b has ub but no ib"},
		{"i without u", "ic,ua,ia\n", "x.csv:1: phase c has ic but no uc"},
		{"non-numeric", "ua,ia\n1,2\n3,abc\n", `x.csv:3: column ia: "abc" is not a number`},
		{"NaN", "ua,ia\nNaN,2\n", "x.csv:2: column ua: NaN is not a finite number"},
		{"Inf", "ia,ua\n1,-Inf\n", "x.csv:2: column ua: -Inf is not a finite number"},
		{"out of range", "ua,ia\n1,1e999\n", `x.csv:2: column ia: "1e999" is out of range`},
		{"short line", "ua,ia,ub,ib\n1,2,3,4\n1,2,3\n", "x.csv:3: 3 values, want 4"},
		{"long line", "ua,ia\n1,2,3\n", "x.csv:2: 3 values, want 2"},
		{"trailing comma", "ua,ia\n1,2,\n", "x.csv:2: 3 values, want 2"},
		{"empty value", "ua,ia\n1,\n", `x.csv:2: column ia: "" is not a number`},
		{"blank line", "ua,ia\n1,2\n\n3,4\n", "x.csv:3: empty line: want 2 values"},
		{"huge line", "ua,ia\n" + strings.Repeat("1", maxLine+10) + "\n", "x.csv:2: line longer than 1048576 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(c.in), "x.csv")
			if err == nil {
				_, err = readAll(r)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if err.Error() != c.msg {
				t.Errorf("error\n got %s\nwant %s", err, c.msg)
			}
		})
	}
}

// The error sticks: later reads return it again.
func TestErrorSticks(t *testing.T) {
	r, err := NewReader(strings.NewReader("ua,ia\n1,2\nx,1\n3,4\n"), "s")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]float64, 10)
	n, err := r.Read(buf)
	if n != 1 || err == nil {
		t.Fatalf("first read: %d frames, %v", n, err)
	}
	if n, err2 := r.Read(buf); n != 0 || err2 != err {
		t.Errorf("second read: %d frames, %v", n, err2)
	}
}

// writeRead writes frames and reads them back, bit for bit or failing t.
func writeRead(t *testing.T, phases [3]bool, frames []float64) string {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, phases)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(frames); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	r, err := NewReader(&b, "rt")
	if err != nil {
		t.Fatalf("re-reading what was written: %v", err)
	}
	got, err := readAll(r)
	if err != nil {
		t.Fatalf("re-reading what was written: %v", err)
	}
	if len(got) != len(frames) {
		t.Fatalf("%d values read back as %d", len(frames), len(got))
	}
	for k := range frames {
		if math.Float64bits(got[k]) != math.Float64bits(frames[k]) {
			t.Fatalf("value %d: %v read back as %v", k, frames[k], got[k])
		}
	}
	return text
}

func TestWriteReadRoundTrip(t *testing.T) {
	frames := []float64{325.269119, -0.0, 1e-300, -7.5, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3, 2}
	if text := writeRead(t, [3]bool{false, true, true}, frames); !strings.HasPrefix(text, "ub,ib,uc,ic\n") {
		t.Errorf("header: %q", text)
	}
	w, _ := NewWriter(io.Discard, [3]bool{true})
	if err := w.Write([]float64{1, 2, 3}); err == nil {
		t.Error("partial frame written")
	}
	if _, err := NewWriter(io.Discard, [3]bool{}); err == nil {
		t.Error("writer without phases")
	}
}

// FuzzReader: no input makes the reader panic; every error names the file
// and a line; whatever reads back without error survives write and re-read
// bit for bit.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"ua,ia\n1,2\n3,4\n",
		"ic,uc,ia,ua\r\n1,2,3,4\r\n",
		"ua,ia,ub,ib,uc,ic\n1,2,3,4,5,6\n",
		"ua,ia\n1,2,3\n",
		"ua,ua\n",
		"ub\n",
		"ua,ia\nNaN,1\n",
		"ua,ia\n0x1p-3, 1_0\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fz")
		if err != nil {
			checkError(t, err)
			return
		}
		frames, err := readAll(r)
		if err != nil {
			checkError(t, err)
			return
		}
		writeRead(t, r.Phases(), frames)
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.File != "fz" || e.Line < 1 || strings.ContainsAny(err.Error(), "\n") {
		t.Fatalf("error %q does not name the file and line on one line", err)
	}
}
