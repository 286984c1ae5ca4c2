package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by every error about bytes that are not a supported
// .npy v1.0 file.
var ErrFormat = errors.New("npy: bad format")

const (
	magic      = "\x93NUMPY"
	preamble   = len(magic) + 2 + 2 // magic, version, HEADER_LEN
	headerPad  = 16                 // alignment of preamble+header the reader demands
	encodePad  = 64                 // alignment the encoder writes, as NumPy does
	maxDims    = 8                  // more than any file we read; bounds the parse
	maxElement = 1 << 40            // bounds product(shape) before any multiplication overflows
)

// Element types the package reads and writes.
const (
	Float64 = "<f8"
	Float32 = "<f4"
	Int64   = "<i8"
	Int32   = "<i4"
)

// Array is a decoded array. Exactly one of Float and Int holds the elements
// (in C order), according to Descr.
type Array struct {
	Descr string // one of Float64, Float32, Int64, Int32
	Shape []int  // empty for a 0-d array (one element)
	Float []float64
	Int   []int64
}

// Len is the number of elements the shape declares.
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

func itemSize(descr string) (size int, float bool, ok bool) {
	switch descr {
	case Float64:
		return 8, true, true
	case Float32:
		return 4, true, true
	case Int64:
		return 8, false, true
	case Int32:
		return 4, false, true
	}
	return 0, false, false
}

func formatErr(off int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrFormat, off, fmt.Sprintf(format, args...))
}

// Decode parses a whole .npy v1.0 file.
func Decode(b []byte) (*Array, error) {
	if len(b) < preamble {
		return nil, formatErr(len(b), "truncated preamble (%d bytes)", len(b))
	}
	if string(b[:len(magic)]) != magic {
		return nil, formatErr(0, "not an .npy file (magic %q)", b[:len(magic)])
	}
	if b[6] != 1 || b[7] != 0 {
		return nil, formatErr(6, "version %d.%d, want 1.0", b[6], b[7])
	}
	hlen := int(binary.LittleEndian.Uint16(b[8:10]))
	if hlen > len(b)-preamble {
		return nil, formatErr(8, "header length %d beyond the %d bytes left", hlen, len(b)-preamble)
	}
	if (preamble+hlen)%headerPad != 0 {
		return nil, formatErr(8, "header end %d not aligned to %d", preamble+hlen, headerPad)
	}
	descr, shape, err := parseHeader(b[preamble : preamble+hlen])
	if err != nil {
		return nil, err
	}
	size, float, _ := itemSize(descr)
	count := 1
	for _, d := range shape {
		if d > 0 && count > maxElement/d {
			return nil, formatErr(preamble, "shape %v too large", shape)
		}
		count *= d
	}
	data := b[preamble+hlen:]
	if count > len(data)/size || len(data) != count*size {
		return nil, formatErr(preamble+hlen, "data is %d bytes, shape %v of %s needs %d", len(data), shape, descr, count*size)
	}
	a := &Array{Descr: descr, Shape: shape}
	if float {
		a.Float = make([]float64, count)
		for k := range a.Float {
			if size == 8 {
				a.Float[k] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*k:]))
			} else {
				a.Float[k] = float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*k:])))
			}
		}
		return a, nil
	}
	a.Int = make([]int64, count)
	for k := range a.Int {
		if size == 8 {
			a.Int[k] = int64(binary.LittleEndian.Uint64(data[8*k:]))
		} else {
			a.Int[k] = int64(int32(binary.LittleEndian.Uint32(data[4*k:])))
		}
	}
	return a, nil
}

// parseHeader reads the dict literal. It is a tiny hand parser for the one
// shape NumPy writes, not a Python evaluator.
func parseHeader(h []byte) (descr string, shape []int, err error) {
	if len(h) == 0 || h[len(h)-1] != '\n' {
		return "", nil, formatErr(preamble, "header does not end in a newline")
	}
	for _, c := range h {
		if c < 0x20 && c != '\n' || c > 0x7e {
			return "", nil, formatErr(preamble, "header byte %#x is not printable ASCII", c)
		}
	}
	p := &headerParser{s: strings.TrimRight(string(h[:len(h)-1]), " ")}
	if !p.eat("{") {
		return "", nil, p.fail("want '{'")
	}
	seen := map[string]bool{}
	for !p.eat("}") {
		key, ok := p.quoted()
		if !ok || !p.eat(":") {
			return "", nil, p.fail("want 'key':")
		}
		if seen[key] {
			return "", nil, p.fail("key %q repeated", key)
		}
		seen[key] = true
		switch key {
		case "descr":
			d, ok := p.quoted()
			if !ok {
				return "", nil, p.fail("descr is not a string")
			}
			if _, _, known := itemSize(d); !known {
				return "", nil, p.fail("unsupported descr %q", d)
			}
			descr = d
		case "fortran_order":
			if !p.eat("False") {
				return "", nil, p.fail("fortran_order must be False")
			}
		case "shape":
			if shape, ok = p.tuple(); !ok {
				return "", nil, p.fail("shape is not a tuple of integers")
			}
		default:
			return "", nil, p.fail("unknown key %q", key)
		}
		if !p.eat(",") && !p.peek("}") {
			return "", nil, p.fail("want ',' or '}'")
		}
	}
	if p.pos != len(p.s) {
		return "", nil, p.fail("text after the dict")
	}
	if len(seen) != 3 {
		return "", nil, p.fail("want keys descr, fortran_order and shape")
	}
	return descr, shape, nil
}

type headerParser struct {
	s   string
	pos int
}

func (p *headerParser) fail(format string, args ...any) error {
	return formatErr(preamble+p.pos, "header: "+format, args...)
}

func (p *headerParser) skipSpace() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *headerParser) peek(tok string) bool {
	p.skipSpace()
	return strings.HasPrefix(p.s[p.pos:], tok)
}

func (p *headerParser) eat(tok string) bool {
	if !p.peek(tok) {
		return false
	}
	p.pos += len(tok)
	return true
}

// quoted reads a single-quoted string without escapes.
func (p *headerParser) quoted() (string, bool) {
	if !p.eat("'") {
		return "", false
	}
	end := strings.IndexByte(p.s[p.pos:], '\'')
	if end < 0 {
		return "", false
	}
	v := p.s[p.pos : p.pos+end]
	p.pos += end + 1
	return v, !strings.Contains(v, "\\")
}

// tuple reads (), (n,) or (n, m, ...) with decimal non-negative integers.
func (p *headerParser) tuple() ([]int, bool) {
	if !p.eat("(") {
		return nil, false
	}
	shape := []int{}
	for {
		if p.eat(")") {
			// Python needs the trailing comma for a 1-tuple: (5) is an int.
			return shape, true
		}
		if len(shape) == maxDims {
			return nil, false
		}
		p.skipSpace()
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		digits := p.s[start:p.pos]
		if digits == "" || len(digits) > 1 && digits[0] == '0' {
			return nil, false
		}
		d, err := strconv.Atoi(digits)
		if err != nil || d > maxElement {
			return nil, false
		}
		shape = append(shape, d)
		if !p.eat(",") {
			if len(shape) == 1 || !p.eat(")") {
				return nil, false
			}
			return shape, true
		}
	}
}

// Encode appends a to dst as an .npy v1.0 file, padded as NumPy pads (to 64).
// It returns an error if the element slice does not match Descr and Shape.
func Encode(dst []byte, a *Array) ([]byte, error) {
	size, float, ok := itemSize(a.Descr)
	if !ok {
		return dst, fmt.Errorf("npy: encode: unsupported descr %q", a.Descr)
	}
	n := a.Len()
	for _, d := range a.Shape {
		if d < 0 {
			return dst, fmt.Errorf("npy: encode: negative dimension in %v", a.Shape)
		}
	}
	if float && len(a.Float) != n || !float && len(a.Int) != n {
		return dst, fmt.Errorf("npy: encode: %d elements for shape %v", max(len(a.Float), len(a.Int)), a.Shape)
	}
	var h bytes.Buffer
	h.WriteString("{'descr': '" + a.Descr + "', 'fortran_order': False, 'shape': (")
	for k, d := range a.Shape {
		if k > 0 {
			h.WriteString(" ")
		}
		h.WriteString(strconv.Itoa(d) + ",")
	}
	if len(a.Shape) > 1 {
		h.Truncate(h.Len() - 1) // NumPy writes (250, 500) but (250,)
	}
	h.WriteString("), }")
	pad := encodePad - (preamble+h.Len()+1)%encodePad
	if pad == encodePad {
		pad = 0
	}
	h.WriteString(strings.Repeat(" ", pad) + "\n")
	if h.Len() > math.MaxUint16 {
		return dst, fmt.Errorf("npy: encode: header of %d bytes", h.Len())
	}
	dst = slices.Grow(dst, preamble+h.Len()+n*size)
	dst = append(dst, magic...)
	dst = append(dst, 1, 0)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(h.Len()))
	dst = append(dst, h.Bytes()...)
	for k := range n {
		switch a.Descr {
		case Float64:
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(a.Float[k]))
		case Float32:
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(a.Float[k])))
		case Int64:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(a.Int[k]))
		case Int32:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(a.Int[k])))
		}
	}
	return dst, nil
}
