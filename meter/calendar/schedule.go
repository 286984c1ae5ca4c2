package calendar

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// ExecutionTime is one element of execution_time: a time of day and a date,
// either of which may hold fields not specified.
type ExecutionTime struct {
	Time axdr.Time
	Date axdr.Date
}

// Schedule is a single action schedule (IC 22): it runs Script at every
// execution time. Type is the Blue Book's type attribute (1…5), which
// restricts the execution times: 1 exactly one, with wildcards in the
// date allowed; 2 and 4 any number without date wildcards; 3 and 5 any
// number with them; 2 and 3 all with the same time of day.
type Schedule struct {
	Script Script
	Type   uint8
	Times  []ExecutionTime
}

// Validate checks the execution times against Type.
func (s *Schedule) Validate() error {
	if s.Type < 1 || s.Type > 5 {
		return fmt.Errorf("%w: schedule type %d: want 1…5", ErrInvalid, s.Type)
	}
	if s.Type == 1 && len(s.Times) > 1 {
		return fmt.Errorf("%w: schedule type 1 with %d execution times", ErrInvalid, len(s.Times))
	}
	for i, e := range s.Times {
		if _, ok := TimeOfDay(e.Time); !ok {
			return fmt.Errorf("%w: execution time %d: time %s", ErrInvalid, i, e.Time)
		}
		wild := e.Date.Year == axdr.YearNotSpecified || e.Date.Month == axdr.NotSpecified || e.Date.Day == axdr.NotSpecified
		if (s.Type == 2 || s.Type == 4) && wild {
			return fmt.Errorf("%w: execution time %d: schedule type %d allows no wildcard in %s", ErrInvalid, i, s.Type, e.Date)
		}
		if (s.Type == 2 || s.Type == 3) && e.Time != s.Times[0].Time {
			return fmt.Errorf("%w: execution time %d: schedule type %d wants every time %s", ErrInvalid, i, s.Type, s.Times[0].Time)
		}
	}
	return nil
}

// Next returns the first execution time strictly after w; false when
// there is none within eight years.
func (s *Schedule) Next(w Wall) (Wall, bool) {
	var best Wall
	found := false
	for _, e := range s.Times {
		if at, ok := NextMatch(e.Date, e.Time, w); ok && (!found || at.Before(best)) {
			best, found = at, true
		}
	}
	return best, found
}
