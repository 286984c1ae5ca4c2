package registry

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ParseCSV reads meters from CSV (see the package doc). name is the file
// name errors begin with. All problems are returned, joined, one per line
// as "name:LINE: reason".
func ParseCSV(name string, r io.Reader) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s:1: no header", name)
		}
		return nil, csvErr(name, err)
	}
	cols := make([]string, len(header))
	var errs []error
	line, _ := cr.FieldPos(0)
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(entryFields, h) {
			errs = append(errs, fmt.Errorf("%s:%d: unknown column %q (want %s)", name, line, h, strings.Join(entryFields, ", ")))
		}
		if slices.Contains(cols[:i], h) {
			errs = append(errs, fmt.Errorf("%s:%d: column %q twice", name, line, h))
		}
		cols[i] = h
	}
	for _, req := range []string{"serial", "address"} {
		if !slices.Contains(cols, req) {
			errs = append(errs, fmt.Errorf("%s:%d: no %s column", name, line, req))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var out []Entry
	seen := map[string]string{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvErr(name, err))
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s:%d", name, line)
		if len(rec) != len(cols) {
			errs = append(errs, fmt.Errorf("%s: %d fields, the header has %d", where, len(rec), len(cols)))
			continue
		}
		f := fields{}
		for i, v := range rec {
			f[cols[i]] = v
		}
		e, bad := f.entry()
		e.Where = where
		if prev, dup := seen[e.Serial]; dup && e.Serial != "" {
			bad = append(bad, fmt.Sprintf("serial %s already at %s", e.Serial, prev))
		}
		seen[e.Serial] = where
		for _, b := range bad {
			errs = append(errs, fmt.Errorf("%s: %s", where, b))
		}
		out = append(out, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
