package samplecsv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Names are the channel names in the core's slot order.
var names = [6]string{"ua", "ia", "ub", "ib", "uc", "ic"}

// maxLine bounds a line; longer ones are an error, not an allocation.
const maxLine = 1 << 20

// Error is a problem at a line of a sample file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Reader reads frames from a sample file.
type Reader struct {
	sc     *bufio.Scanner
	file   string
	line   int
	phases [3]bool
	cols   []int // channel slot of each column
	pos    []int // where each column goes in a frame
	err    error
}

// NewReader reads and checks the header. file names the input in errors.
func NewReader(r io.Reader, file string) (*Reader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	rd := &Reader{sc: sc, file: file}
	head, ok := rd.next()
	if !ok {
		if rd.err != nil {
			return nil, rd.err
		}
		return nil, rd.errorf("empty file: want a header naming channels from ua,ia,ub,ib,uc,ic")
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	slot := map[string]int{}
	for i, n := range names {
		slot[n] = i
	}
	var seen [6]bool
	for _, f := range strings.Split(string(head), ",") {
		name := strings.TrimSpace(f)
		s, ok := slot[name]
		switch {
		case !ok:
			return nil, rd.errorf("unknown column %q: want ua, ia, ub, ib, uc or ic", clip(name))
		case seen[s]:
			return nil, rd.errorf("duplicate column %q", name)
		}
		seen[s] = true
		rd.cols = append(rd.cols, s)
	}
	for p := range 3 {
		u, i := seen[2*p], seen[2*p+1]
		if u != i {
			have, miss := names[2*p], names[2*p+1]
			if i {
				have, miss = miss, have
			}
			return nil, rd.errorf("phase %c has %s but no %s", 'a'+p, have, miss)
		}
		rd.phases[p] = u
	}
	// Frame position of each slot: present slots packed in slot order.
	var frame [6]int
	n := 0
	for s := range 6 {
		if seen[s] {
			frame[s] = n
			n++
		}
	}
	for _, s := range rd.cols {
		rd.pos = append(rd.pos, frame[s])
	}
	return rd, nil
}

// Phases reports which phases the file has.
func (r *Reader) Phases() [3]bool { return r.phases }

// Channels is the number of values per frame.
func (r *Reader) Channels() int { return len(r.pos) }

// Line is the number of the last line read (1 is the header).
func (r *Reader) Line() int { return r.line }

// File is the name used in errors.
func (r *Reader) File() string { return r.file }

// Read fills dst with whole frames (len(dst)/Channels() at most) and
// returns how many it read. At the end of the file it returns 0, io.EOF. A
// bad line stops the reader: that call and every later one return the
// *Error, with the frames before it.
func (r *Reader) Read(dst []float64) (int, error) {
	nc := len(r.pos)
	frames := 0
	for (frames+1)*nc <= len(dst) {
		if r.err != nil {
			return frames, r.err
		}
		line, ok := r.next()
		if !ok {
			if r.err != nil {
				return frames, r.err
			}
			if frames == 0 {
				return 0, io.EOF
			}
			return frames, nil
		}
		if err := r.parse(line, dst[frames*nc:(frames+1)*nc]); err != nil {
			r.err = err
			return frames, err
		}
		frames++
	}
	return frames, nil
}

func (r *Reader) parse(line []byte, frame []float64) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return r.errorf("empty line: want %d values", len(r.pos))
	}
	if n := bytes.Count(line, []byte{','}) + 1; n != len(r.pos) {
		return r.errorf("%d values, want %d", n, len(r.pos))
	}
	for k := range r.pos {
		field := line
		if i := bytes.IndexByte(line, ','); i >= 0 {
			field, line = line[:i], line[i+1:]
		}
		s := strings.TrimSpace(string(field))
		v, err := strconv.ParseFloat(s, 64)
		col := names[r.cols[k]]
		switch {
		case errors.Is(err, strconv.ErrRange):
			return r.errorf("column %s: %q is out of range", col, clip(s))
		case err != nil:
			return r.errorf("column %s: %q is not a number", col, clip(s))
		case math.IsNaN(v) || math.IsInf(v, 0):
			return r.errorf("column %s: %s is not a finite number", col, clip(s))
		}
		frame[r.pos[k]] = v
	}
	return nil
}

// next returns the next line without its line end.
func (r *Reader) next() ([]byte, bool) {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			r.line++
			if errors.Is(err, bufio.ErrTooLong) {
				r.err = r.errorf("line longer than %d bytes", maxLine)
			} else {
				r.err = fmt.Errorf("%s:%d: %w", r.file, r.line, err)
			}
		}
		return nil, false
	}
	r.line++
	return bytes.TrimSuffix(r.sc.Bytes(), []byte("\r")), true
}

func (r *Reader) errorf(format string, args ...any) *Error {
	return &Error{File: r.file, Line: max(r.line, 1), Msg: fmt.Sprintf(format, args...)}
}

// clip shortens what is quoted back from the input.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Writer writes a sample file.
type Writer struct {
	w   *bufio.Writer
	nc  int
	buf []byte
}

// NewWriter writes the header for the given phases (u then i of each, a, b, c).
func NewWriter(w io.Writer, phases [3]bool) (*Writer, error) {
	var cols []string
	for p, on := range phases {
		if on {
			cols = append(cols, names[2*p], names[2*p+1])
		}
	}
	if len(cols) == 0 {
		return nil, errors.New("samplecsv: no phases to write")
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(strings.Join(cols, ",") + "\n"); err != nil {
		return nil, err
	}
	return &Writer{w: bw, nc: len(cols)}, nil
}

// Write writes whole frames (len(frames) must be a multiple of the channel count).
func (w *Writer) Write(frames []float64) error {
	if len(frames)%w.nc != 0 {
		return fmt.Errorf("samplecsv: %d values are not whole frames of %d", len(frames), w.nc)
	}
	for k := 0; k < len(frames); k += w.nc {
		b := w.buf[:0]
		for j, v := range frames[k : k+w.nc] {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		w.buf = append(b, '\n')
		if _, err := w.w.Write(w.buf); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }
