package cosem

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Clock is an in-memory Clock object (IC 8) over an injected time source:
// it reads now() plus an offset that setting the time or shifting it
// changes. Local time is in loc. It is safe for concurrent use.
type Clock struct {
	name OBIS
	now  func() time.Time
	loc  *time.Location

	mu     sync.Mutex
	offset time.Duration
}

// Daylight saving of the Clock's attributes 5–8: the EU rule (last Sunday
// of March and of October, 02:00 local, 60 minutes), written with the
// date wildcards of Blue Book §4.1.6.1.
var (
	dstBegin = axdr.DateTime{Date: axdr.Date{Year: axdr.YearNotSpecified, Month: 3, Day: axdr.DayLast, Weekday: 7},
		Time: axdr.Time{Hour: 2}, Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified}
	dstEnd = axdr.DateTime{Date: axdr.Date{Year: axdr.YearNotSpecified, Month: 10, Day: axdr.DayLast, Weekday: 7},
		Time: axdr.Time{Hour: 3}, Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified}
)

// NewClock returns a clock named name (0.0.1.0.0.255 by convention) that
// reads now and presents local time in loc (UTC when nil).
func NewClock(name OBIS, now func() time.Time, loc *time.Location) *Clock {
	if loc == nil {
		loc = time.UTC
	}
	return &Clock{name: name, now: now, loc: loc}
}

func (c *Clock) ID() ObjectID { return ObjectID{Class: ClassClock, Name: c.name} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now().Add(c.offset).In(c.loc)
}

func (c *Clock) Get(_ context.Context, dst []byte, attr int8, _ *Selector) ([]byte, error) {
	now := c.Now()
	switch attr {
	case 2:
		return axdr.AppendOctetString(dst, axdr.FromTime(now).Append(make([]byte, 0, axdr.DateTimeSize))), nil
	case 3:
		_, off := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, c.loc).Zone()
		return axdr.AppendInt16(dst, int16(-off/60)), nil
	case 4:
		return axdr.AppendUint8(dst, uint8(axdr.FromTime(now).Status)), nil
	case 5:
		return axdr.AppendOctetString(dst, dstBegin.Append(nil)), nil
	case 6:
		return axdr.AppendOctetString(dst, dstEnd.Append(nil)), nil
	case 7:
		return axdr.AppendInt8(dst, 60), nil
	case 8:
		return axdr.AppendBool(dst, c.observesDST(now.Year())), nil
	case 9:
		return axdr.AppendEnum(dst, 1), nil // internal crystal
	}
	return dst, ErrUndefined
}

// observesDST reports whether loc has two offsets in year.
func (c *Clock) observesDST(year int) bool {
	_, jan := time.Date(year, 1, 1, 0, 0, 0, 0, c.loc).Zone()
	_, jul := time.Date(year, 7, 1, 0, 0, 0, 0, c.loc).Zone()
	return jan != jul
}

func (c *Clock) Set(_ context.Context, attr int8, value []axdr.Value) error {
	if attr != 2 {
		return fmt.Errorf("%w: clock attribute %d is fixed", ErrDenied, attr)
	}
	if len(value) != 1 {
		return fmt.Errorf("%w: time must be a date-time", ErrTypeUnmatched)
	}
	dt, err := value[0].DateTime()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTypeUnmatched, err)
	}
	t, err := dt.TimeIn(c.loc)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTypeUnmatched, err)
	}
	c.mu.Lock()
	c.offset = t.Sub(c.now())
	c.mu.Unlock()
	return nil
}

func (c *Clock) Action(_ context.Context, dst []byte, method int8, params []axdr.Value) ([]byte, error) {
	switch method {
	case 1:
		c.adjust(15 * time.Minute)
	case 3:
		c.adjust(time.Minute)
	case 6:
		if len(params) != 1 || params[0].Tag != axdr.TagInt16 {
			return dst, fmt.Errorf("%w: shift_time takes a long", ErrTypeUnmatched)
		}
		s, _ := params[0].Int()
		if s < -900 || s > 900 {
			return dst, fmt.Errorf("%w: shift_time of %d s is beyond ±900 s", ErrScopeOfAccess, s)
		}
		c.mu.Lock()
		c.offset += time.Duration(s) * time.Second
		c.mu.Unlock()
	case 2, 4, 5:
		return dst, ErrUnavailable
	default:
		return dst, ErrUndefined
	}
	return dst, nil
}

// adjust rounds the clock to the nearest multiple of step.
func (c *Clock) adjust(step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now().Add(c.offset)
	c.offset += now.Round(step).Sub(now)
}
