package objects

import (
	"fmt"
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/profile"
)

// profileObject is a Profile generic (IC 7) over one of the meter's
// profiles or event logs.
type profileObject struct {
	which meter.Profile
	log   eventlog.Log
	isLog bool
}

func (profileObject) class() (cosem.ClassID, uint8) { return cosem.ClassProfileGeneric, 1 }

// with calls fn with the profile under the meter's lock.
func (h profileObject) with(t *Tree, fn func(*profile.Profile)) error {
	if h.isLog {
		t.m.ReadLog(h.log, fn)
		return nil
	}
	if !t.m.Read(h.which, fn) {
		return fmt.Errorf("%w: profile not kept", cosem.ErrUnavailable)
	}
	return nil
}

func (h profileObject) get(t *Tree, dst []byte, attr int8, sel *cosem.Selector) ([]byte, error) {
	var q query
	if attr == 2 && sel != nil {
		var err error
		if q, err = t.parseQuery(sel); err != nil {
			return dst, err
		}
	}
	var err error
	out := dst
	werr := h.with(t, func(p *profile.Profile) {
		c := p.Config()
		switch attr {
		case 2:
			var s profile.Selection
			if s, err = q.selection(p); err == nil {
				out = p.AppendSelection(out, s)
			}
		case 3:
			out = p.AppendColumns(out)
		case 4:
			out = axdr.AppendUint32(out, uint32(c.Period.Seconds()))
		case 5:
			out = axdr.AppendEnum(out, uint8(c.Sort))
		case 6:
			out = appendCaptureObject(out, 0, [6]byte{}, 0, 0)
		case 7:
			out = axdr.AppendUint32(out, uint32(p.Len()))
		case 8:
			out = axdr.AppendUint32(out, uint32(c.Capacity))
		default:
			err = noSuchAttribute(attr)
		}
	})
	if werr != nil {
		return dst, werr
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

func (h profileObject) methods() []int8 {
	if h.isLog {
		return nil
	}
	return []int8{1, 2}
}

func (h profileObject) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	r := read(p)
	r.int("data", math.MinInt32, math.MaxInt32)
	if err := r.done(); err != nil {
		return dst, err
	}
	ok := false
	switch method {
	case 1:
		ok = t.m.ResetProfile(h.which)
	case 2:
		ok = t.m.CaptureNow(h.which)
	default:
		return dst, noSuchMethod(method)
	}
	if !ok {
		return dst, fmt.Errorf("%w: profile not kept", cosem.ErrUnavailable)
	}
	return dst, nil
}

// query is a parsed selective access, resolved against a profile under
// the meter's lock.
type query struct {
	sel      uint8
	rng      cosem.RangeDescriptor
	from, to int64 // range bounds: Packed stamps for date-times, else the numbers
	timeLike bool
	entry    cosem.EntryDescriptor
}

// parseQuery reads a selector; date-time bounds are read in the meter's
// zone when their deviation is not specified.
func (t *Tree) parseQuery(sel *cosem.Selector) (query, error) {
	q := query{sel: sel.ID}
	switch sel.ID {
	case cosem.SelectorRange:
		r, err := cosem.ParseRange(sel)
		if err != nil {
			return q, err
		}
		q.rng = r
		if r.From.Tag == axdr.TagOctetString || r.From.Tag == axdr.TagDateTime {
			q.timeLike = true
			bounds := [2]*int64{&q.from, &q.to}
			for i, v := range []axdr.Value{r.From, r.To} {
				dt, err := v.DateTime()
				if err != nil {
					return q, fmt.Errorf("%w: range bound: %v", cosem.ErrTypeUnmatched, err)
				}
				at, err := t.instant(dt)
				if err != nil {
					return q, fmt.Errorf("%w: range bound %s: %v", cosem.ErrTypeUnmatched, dt, err)
				}
				*bounds[i] = profile.Stamp{Unix: at.Unix()}.Pack()
			}
			return q, nil
		}
		from, ok1 := r.From.Int()
		to, ok2 := r.To.Int()
		if !ok1 || !ok2 {
			return q, fmt.Errorf("%w: range bounds %v…%v", cosem.ErrTypeUnmatched, r.From, r.To)
		}
		q.from, q.to = from, to
	case cosem.SelectorEntry:
		e, err := cosem.ParseEntry(sel)
		if err != nil {
			return q, err
		}
		q.entry = e
	default:
		return q, fmt.Errorf("%w: selector %d", cosem.ErrScopeOfAccess, sel.ID)
	}
	return q, nil
}

func (q query) selection(p *profile.Profile) (profile.Selection, error) {
	switch q.sel {
	case 0:
		return p.All(), nil
	case cosem.SelectorEntry:
		s, err := p.ByEntry(q.entry.FromEntry, q.entry.ToEntry, q.entry.FromValue, q.entry.ToValue)
		if err != nil {
			return s, fmt.Errorf("%w: %v", cosem.ErrScopeOfAccess, err)
		}
		return s, nil
	}
	col := columnOf(p, q.rng.Restricting)
	if col < 0 {
		return profile.Selection{}, fmt.Errorf("%w: restricting object %v is not captured", cosem.ErrScopeOfAccess, q.rng.Restricting.Name)
	}
	if q.timeLike != (p.Config().Columns[col].Kind == profile.KindDateTime) {
		return profile.Selection{}, fmt.Errorf("%w: range bounds do not fit column %d", cosem.ErrTypeUnmatched, col+1)
	}
	var cols []int
	for _, c := range q.rng.Selected {
		i := columnOf(p, c)
		if i < 0 {
			return profile.Selection{}, fmt.Errorf("%w: selected value %v is not captured", cosem.ErrScopeOfAccess, c.Name)
		}
		cols = append(cols, i)
	}
	s, err := p.ByRange(col, q.from, q.to, cols)
	if err != nil {
		return s, fmt.Errorf("%w: %v", cosem.ErrScopeOfAccess, err)
	}
	return s, nil
}

func columnOf(p *profile.Profile, c cosem.CaptureObject) int {
	return p.ColumnOf(uint16(c.Class), c.Name, c.Attribute, c.DataIndex)
}
