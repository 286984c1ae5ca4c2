package export

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Appender is where imported readings go (store.Store's Append).
type Appender interface {
	Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error)
}

// Resolver maps the meter column to a meter id (store/meta's serials);
// nil means the column holds numeric ids.
type Resolver func(ctx context.Context, meter string) (store.MeterID, error)

// LineError is a line of an import file that cannot be read.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ImportError lists the bad lines of a file (the first MaxLineErrors of
// Bad); when there are any, nothing was imported.
type ImportError struct {
	Lines []*LineError
	Bad   int // lines in error, all told
}

// MaxLineErrors bounds how many line errors an ImportError keeps.
const MaxLineErrors = 100

func (e *ImportError) Error() string {
	var b strings.Builder
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Error())
	}
	if more := e.Bad - len(e.Lines); more > 0 {
		fmt.Fprintf(&b, "\n… and %d more bad lines", more)
	}
	fmt.Fprintf(&b, "\nnothing imported")
	return b.String()
}

// Unwrap returns the line errors, for errors.Is and errors.As.
func (e *ImportError) Unwrap() []error {
	out := make([]error, len(e.Lines))
	for i, l := range e.Lines {
		out[i] = l
	}
	return out
}

// ImportResult says what an import applied.
type ImportResult struct {
	Readings int // readings the file holds
	// Applied readings were appended (the file's first Applied readings:
	// lines 2 to AppliedThrough).
	Applied        int
	AppliedThrough int
	Store          store.AppendResult // what the store did with them
}

// ImportCSV reads readings in the CSV format WriteCSV writes (header
// meter,channel,time,value[,quality]; time RFC 3339 with any offset;
// quality flag names joined by "|", "actual" or empty) and appends them.
//
// The whole file is read and checked first: if any line is bad, the
// returned *ImportError names every bad line as FILE:LINE: reason and
// nothing is appended. Otherwise readings are appended in order, chunk
// readings per store write (each write is atomic); if a write fails,
// ImportResult says exactly which lines were applied before it.
func ImportCSV(ctx context.Context, r io.Reader, file string, resolve Resolver, st Appender, chunk int) (ImportResult, error) {
	if chunk <= 0 {
		chunk = 100_000
	}
	rs, err := parseCSV(ctx, r, file, resolve)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Readings: len(rs)}
	for len(rs) > 0 {
		n := min(chunk, len(rs))
		ar, err := st.Append(ctx, rs[:n])
		if err != nil {
			if res.Applied == 0 {
				return res, fmt.Errorf("%s: nothing imported: %w", file, err)
			}
			return res, fmt.Errorf("%s: lines 2–%d imported (%d readings), line %d onward not: %w", file, res.AppliedThrough, res.Applied, res.AppliedThrough+1, err)
		}
		res.Applied += n
		res.AppliedThrough = res.Applied + 1 // one reading per line after the header
		res.Store.Added += ar.Added
		res.Store.Unchanged += ar.Unchanged
		res.Store.Replaced += ar.Replaced
		res.Store.Conflicted += ar.Conflicted
		rs = rs[n:]
	}
	return res, nil
}

func parseCSV(ctx context.Context, r io.Reader, file string, resolve Resolver) ([]store.Reading, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	ierr := &ImportError{}
	bad := func(line int, format string, args ...any) {
		ierr.Bad++
		if len(ierr.Lines) < MaxLineErrors {
			ierr.Lines = append(ierr.Lines, &LineError{File: file, Line: line, Err: fmt.Errorf(format, args...)})
		}
	}
	header, err := cr.Read()
	if err != nil {
		return nil, &ImportError{Lines: []*LineError{{File: file, Line: 1, Err: fmt.Errorf("no header: %w", err)}}, Bad: 1}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, need := range CSVHeader[:4] {
		if _, ok := col[need]; !ok {
			return nil, &ImportError{Lines: []*LineError{{File: file, Line: 1, Err: fmt.Errorf("header %q has no column %q (want %s)", strings.Join(header, ","), need, strings.Join(CSVHeader, ","))}}, Bad: 1}
		}
	}
	qcol, hasQuality := col["quality"]
	meters := map[string]store.MeterID{}
	var out []store.Reading
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			bad(pe.StartLine, "%v", pe.Err)
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			bad(line, "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		field := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		var rd store.Reading
		name := field("meter")
		id, ok := meters[name]
		if !ok {
			if id, err = resolveMeter(ctx, resolve, name); err != nil {
				bad(line, "meter %q: %v", name, err)
				continue
			}
			meters[name] = id
		}
		rd.Meter = id
		if rd.Channel, err = store.ParseChannel(field("channel")); err != nil {
			bad(line, "%v", err)
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, field("time"))
		if err != nil {
			bad(line, "time %q: want RFC 3339, like 2024-01-01T00:15:00Z", field("time"))
			continue
		}
		rd.Time = t.UnixMilli()
		if rd.Value, err = strconv.ParseInt(field("value"), 10, 64); err != nil {
			bad(line, "value %q: want an integer", field("value"))
			continue
		}
		if hasQuality {
			if rd.Quality, err = parseQuality(strings.TrimSpace(rec[qcol])); err != nil {
				bad(line, "%v", err)
				continue
			}
		}
		if err := rd.Validate(); err != nil {
			bad(line, "%v", err)
			continue
		}
		out = append(out, rd)
	}
	if ierr.Bad > 0 {
		return nil, ierr
	}
	return out, nil
}

func resolveMeter(ctx context.Context, resolve Resolver, name string) (store.MeterID, error) {
	if resolve != nil {
		return resolve(ctx, name)
	}
	id, err := strconv.ParseUint(name, 10, 64)
	if err != nil || id == 0 {
		return 0, errors.New("want a meter id (a positive integer)")
	}
	return store.MeterID(id), nil
}

// parseQuality reads Quality.String's form: flag names joined by "|".
func parseQuality(s string) (store.Quality, error) {
	if s == "" || s == "actual" {
		return 0, nil
	}
	var q store.Quality
	for name := range strings.SplitSeq(s, "|") {
		found := false
		for bit := store.Quality(1); bit&store.KnownQuality != 0; bit <<= 1 {
			if bit.String() == name {
				q |= bit
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("quality %q: unknown flag %q", s, name)
		}
	}
	return q, nil
}
