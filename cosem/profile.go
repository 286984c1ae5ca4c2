package cosem

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// ProfileGeneric is an in-memory Profile generic object (IC 7): a FIFO of
// rows, one scalar per capture object, with range and entry selective
// access on the buffer. Rows are appended by the program (Capture); the
// capture method is not served. It is safe for concurrent use.
type ProfileGeneric struct {
	name    OBIS
	columns []CaptureObject
	period  uint32
	limit   uint32

	mu   sync.RWMutex
	rows []axdr.Value // len(columns) scalars per row, oldest first
}

// NewProfileGeneric returns a profile named name capturing columns every
// period seconds (0: asynchronously), keeping the newest limit rows.
func NewProfileGeneric(name OBIS, columns []CaptureObject, period, limit uint32) (*ProfileGeneric, error) {
	if len(columns) == 0 || limit == 0 {
		return nil, fmt.Errorf("cosem: profile %s needs capture objects and room for a row", name)
	}
	return &ProfileGeneric{name: name, columns: columns, period: period, limit: limit}, nil
}

func (p *ProfileGeneric) ID() ObjectID {
	return ObjectID{Class: ClassProfileGeneric, Version: 1, Name: p.name}
}

// Capture appends a row of one scalar per column, dropping the oldest row
// when the profile is full. Byte contents are copied.
func (p *ProfileGeneric) Capture(row ...axdr.Value) error {
	if len(row) != len(p.columns) {
		return fmt.Errorf("cosem: profile %s: row of %d values, want %d", p.name, len(row), len(p.columns))
	}
	for i, v := range row {
		if v.IsContainer() {
			return fmt.Errorf("cosem: profile %s: column %d is %s, want a scalar", p.name, i+1, v.Tag)
		}
		row[i].Bytes = bytes.Clone(v.Bytes)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if uint32(len(p.rows)/len(p.columns)) >= p.limit {
		p.rows = append(p.rows[:0], p.rows[len(p.columns):]...)
	}
	p.rows = append(p.rows, row...)
	return nil
}

// Entries returns the number of rows in the buffer.
func (p *ProfileGeneric) Entries() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.rows) / len(p.columns)
}

func (p *ProfileGeneric) Get(_ context.Context, dst []byte, attr int8, sel *Selector) ([]byte, error) {
	switch attr {
	case 2:
		return p.appendBuffer(dst, sel)
	case 3:
		dst = axdr.AppendArray(dst, len(p.columns))
		for _, c := range p.columns {
			dst = c.appendTo(dst)
		}
		return dst, nil
	case 4:
		return axdr.AppendUint32(dst, p.period), nil
	case 5:
		return axdr.AppendEnum(dst, 1), nil // fifo
	case 6:
		return CaptureObject{}.appendTo(dst), nil // no sort object
	case 7:
		return axdr.AppendUint32(dst, uint32(p.Entries())), nil
	case 8:
		return axdr.AppendUint32(dst, p.limit), nil
	}
	return dst, ErrUndefined
}

func (p *ProfileGeneric) Set(context.Context, int8, []axdr.Value) error {
	return fmt.Errorf("%w: profile %s is configured by the program", ErrDenied, p.name)
}

func (p *ProfileGeneric) Action(_ context.Context, dst []byte, method int8, _ []axdr.Value) ([]byte, error) {
	switch method {
	case 1:
		p.mu.Lock()
		p.rows = p.rows[:0]
		p.mu.Unlock()
		return dst, nil
	case 2:
		return dst, ErrUnavailable
	}
	return dst, ErrUndefined
}

// appendBuffer appends the selected rows and columns as array of
// structure.
func (p *ProfileGeneric) appendBuffer(dst []byte, sel *Selector) ([]byte, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ncol := len(p.columns)
	nrow := len(p.rows) / ncol
	first, last := 0, nrow // rows [first, last)
	cols := make([]int, 0, ncol)
	switch {
	case sel == nil:
		for c := range ncol {
			cols = append(cols, c)
		}
	case sel.ID == SelectorRange:
		r, err := ParseRange(sel)
		if err != nil {
			return dst, err
		}
		if first, last, err = p.rangeRows(r); err != nil {
			return dst, err
		}
		if cols, err = p.selectColumns(cols, r.Selected); err != nil {
			return dst, err
		}
	case sel.ID == SelectorEntry:
		e, err := ParseEntry(sel)
		if err != nil {
			return dst, err
		}
		first, last = clampSpan(int(e.FromEntry), int(e.ToEntry), nrow)
		fc, lc := clampSpan(int(e.FromValue), int(e.ToValue), ncol)
		for c := fc; c < lc; c++ {
			cols = append(cols, c)
		}
	default:
		return dst, fmt.Errorf("%w: profile buffer has no selector %d", ErrScopeOfAccess, sel.ID)
	}
	if len(cols) == 0 || first >= last {
		return axdr.AppendArray(dst, 0), nil
	}
	dst = axdr.AppendArray(dst, last-first)
	for r := first; r < last; r++ {
		row := p.rows[r*ncol : (r+1)*ncol]
		dst = axdr.AppendStructure(dst, len(cols))
		for _, c := range cols {
			var err error
			if dst, err = axdr.Append(dst, row[c:c+1]); err != nil {
				return dst, err
			}
		}
	}
	return dst, nil
}

// clampSpan turns a 1-based inclusive from…to (to 0 = the last) over n items
// into a 0-based half-open span.
func clampSpan(from, to, n int) (int, int) {
	if from < 1 {
		from = 1
	}
	if to == 0 || to > n {
		to = n
	}
	return from - 1, max(to, from-1)
}

// rangeRows returns the span of rows whose restricting column lies in
// [r.From, r.To]. Rows are in capture order, which for a time column is
// time order, so the span is contiguous.
func (p *ProfileGeneric) rangeRows(r RangeDescriptor) (int, int, error) {
	col := -1
	for i, c := range p.columns {
		if c.Class == r.Restricting.Class && c.Name == r.Restricting.Name && c.Attribute == r.Restricting.Attribute {
			col = i
			break
		}
	}
	if col < 0 {
		return 0, 0, fmt.Errorf("%w: profile %s does not capture the restricting object %s/%d", ErrScopeOfAccess, p.name, r.Restricting.Name, r.Restricting.Attribute)
	}
	ncol := len(p.columns)
	nrow := len(p.rows) / ncol
	first, last := nrow, 0
	for i := 0; i < nrow; i++ {
		v := p.rows[i*ncol+col]
		lo, err := compareValues(v, r.From)
		if err != nil {
			return 0, 0, err
		}
		hi, err := compareValues(v, r.To)
		if err != nil {
			return 0, 0, err
		}
		if lo >= 0 && hi <= 0 {
			first, last = min(first, i), max(last, i+1)
		}
	}
	return first, last, nil
}

// selectColumns appends the indexes of the selected columns (all when none
// are selected) to cols.
func (p *ProfileGeneric) selectColumns(cols []int, selected []CaptureObject) ([]int, error) {
	if len(selected) == 0 {
		for c := range p.columns {
			cols = append(cols, c)
		}
		return cols, nil
	}
next:
	for _, s := range selected {
		for i, c := range p.columns {
			if c.same(s) {
				cols = append(cols, i)
				continue next
			}
		}
		return nil, fmt.Errorf("%w: profile %s does not capture %s/%d", ErrScopeOfAccess, p.name, s.Name, s.Attribute)
	}
	return cols, nil
}

// compareValues orders two values of a restricting column: date-times (as
// octet-string(12) or date-time) by instant, integers by value. A bound
// whose deviation is not specified is read as UTC.
func compareValues(a, b axdr.Value) (int, error) {
	if a.IsInteger() && b.IsInteger() {
		if x, ok := a.Int(); ok {
			if y, ok := b.Int(); ok {
				return cmp.Compare(x, y), nil
			}
		}
		// One of them is a long64-unsigned above the int64 range, or
		// negative.
		ux, okx := a.Uint()
		uy, oky := b.Uint()
		switch {
		case !okx:
			return -1, nil
		case !oky:
			return 1, nil
		}
		return cmp.Compare(ux, uy), nil
	}
	ta, err := valueTime(a)
	if err != nil {
		return 0, err
	}
	tb, err := valueTime(b)
	if err != nil {
		return 0, err
	}
	return ta.Compare(tb), nil
}

func valueTime(v axdr.Value) (time.Time, error) {
	dt, err := v.DateTime()
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: range bound %s is neither a date-time nor an integer", ErrTypeUnmatched, v)
	}
	t, err := dt.TimeIn(time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: range bound %s: %v", ErrTypeUnmatched, dt, err)
	}
	return t, nil
}
