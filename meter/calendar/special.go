package calendar

import (
	"fmt"
	"slices"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// SpecialDay is one entry of a special days table (IC 11): on dates
// matching Date (MatchDate) the day profile DayID replaces the week
// profile's.
type SpecialDay struct {
	Index uint16
	Date  axdr.Date
	DayID uint8
}

// SpecialDays is a special days table (IC 11), kept sorted by index. The
// zero value is an empty table; a nil *SpecialDays matches nothing.
type SpecialDays struct {
	Entries []SpecialDay
}

// Insert adds e, replacing an entry with the same index (method insert).
func (s *SpecialDays) Insert(e SpecialDay) error {
	if e.Date.Month != axdr.NotSpecified && (e.Date.Month < 1 || e.Date.Month > 12) {
		return fmt.Errorf("%w: special day %d: month %d", ErrInvalid, e.Index, e.Date.Month)
	}
	i, found := slices.BinarySearchFunc(s.Entries, e.Index, func(x SpecialDay, idx uint16) int { return int(x.Index) - int(idx) })
	if found {
		s.Entries[i] = e
		return nil
	}
	s.Entries = slices.Insert(s.Entries, i, e)
	return nil
}

// Delete removes the entry with index (method delete); false if none.
func (s *SpecialDays) Delete(index uint16) bool {
	i, found := slices.BinarySearchFunc(s.Entries, index, func(x SpecialDay, idx uint16) int { return int(x.Index) - int(idx) })
	if found {
		s.Entries = slices.Delete(s.Entries, i, i+1)
	}
	return found
}

// Match returns the day profile id of the lowest-index entry whose date
// matches the date of w.
func (s *SpecialDays) Match(w Wall) (uint8, bool) {
	if s == nil {
		return 0, false
	}
	for _, e := range s.Entries {
		if MatchDate(e.Date, w) {
			return e.DayID, true
		}
	}
	return 0, false
}
