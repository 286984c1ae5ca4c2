package axdr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sizes of the COSEM date and time types (Blue Book §4.1.6.1).
const (
	DateTimeSize = 12
	DateSize     = 5
	TimeSize     = 4
)

// "Not specified" markers of the COSEM date and time fields.
const (
	NotSpecified          = 0xFF    // any one-byte field
	YearNotSpecified      = 0xFFFF  // year
	DeviationNotSpecified = -0x8000 // deviation (0x8000 on the wire)

	MonthDSTEnd   = 0xFD // month: daylight saving ends
	MonthDSTBegin = 0xFE // month: daylight saving begins
	DaySecondLast = 0xFD // day of month: second last day
	DayLast       = 0xFE // day of month: last day
)

// ClockStatus is the clock status byte of a date-time.
type ClockStatus uint8

// Clock status bits (Blue Book §4.1.6.1, "clock_status").
const (
	StatusInvalid        ClockStatus = 0x01 // invalid value
	StatusDoubtful       ClockStatus = 0x02 // doubtful value
	StatusDifferentBase  ClockStatus = 0x04 // different clock base
	StatusInvalidStatus  ClockStatus = 0x08 // invalid clock status
	StatusDaylightSaving ClockStatus = 0x80 // daylight saving active
	StatusNotSpecified   ClockStatus = 0xFF
)

// ErrNotSpecified is returned when a date or time with wildcard fields is
// converted to a time.Time.
var ErrNotSpecified = errors.New("axdr: date-time has fields not specified")

// Date is a COSEM date: year (0xFFFF = not specified), month (1–12,
// MonthDSTEnd, MonthDSTBegin, NotSpecified), day of month (1–31,
// DaySecondLast, DayLast, NotSpecified) and day of week (1 = Monday … 7,
// NotSpecified).
type Date struct {
	Year    uint16
	Month   uint8
	Day     uint8
	Weekday uint8
}

// Time is a COSEM time; each field may be NotSpecified.
type Time struct {
	Hour, Minute, Second, Hundredths uint8
}

// DateTime is a COSEM date-time:
//
//	 0    2      3    4        5     6       7       8          9        11
//	+----+------+----+--------+-----+-------+-------+----------+--------+--------+
//	|year|month |day |weekday |hour |minute |second |hundredths|deviation|status |
//	+----+------+----+--------+-----+-------+-------+----------+--------+--------+
//
// Deviation is in minutes with UTC = local time + deviation (so central
// European winter time, UTC+1, is −60), DeviationNotSpecified when unknown.
type DateTime struct {
	Date
	Time
	Deviation int16
	Status    ClockStatus
}

// Append appends the 5 bytes of the date.
func (d Date) Append(dst []byte) []byte {
	return append(dst, byte(d.Year>>8), byte(d.Year), d.Month, d.Day, d.Weekday)
}

// Append appends the 4 bytes of the time.
func (t Time) Append(dst []byte) []byte {
	return append(dst, t.Hour, t.Minute, t.Second, t.Hundredths)
}

// Append appends the 12 bytes of the date-time.
func (dt DateTime) Append(dst []byte) []byte {
	dst = dt.Time.Append(dt.Date.Append(dst))
	return append(dst, byte(uint16(dt.Deviation)>>8), byte(uint16(dt.Deviation)), byte(dt.Status))
}

// ParseDate reads a 5-byte date.
func ParseDate(b []byte) (Date, error) {
	if len(b) != DateSize {
		return Date{}, fmt.Errorf("%w: date of %d bytes", ErrLength, len(b))
	}
	return Date{Year: binary.BigEndian.Uint16(b), Month: b[2], Day: b[3], Weekday: b[4]}, nil
}

// ParseTime reads a 4-byte time.
func ParseTime(b []byte) (Time, error) {
	if len(b) != TimeSize {
		return Time{}, fmt.Errorf("%w: time of %d bytes", ErrLength, len(b))
	}
	return Time{Hour: b[0], Minute: b[1], Second: b[2], Hundredths: b[3]}, nil
}

// ParseDateTime reads a 12-byte date-time.
func ParseDateTime(b []byte) (DateTime, error) {
	if len(b) != DateTimeSize {
		return DateTime{}, fmt.Errorf("%w: date-time of %d bytes", ErrLength, len(b))
	}
	d, _ := ParseDate(b[:5])
	t, _ := ParseTime(b[5:9])
	return DateTime{Date: d, Time: t, Deviation: int16(binary.BigEndian.Uint16(b[9:])), Status: ClockStatus(b[11])}, nil
}

// FromTime returns the date-time of t in t's location: deviation from its
// offset, weekday filled in, and the daylight-saving status bit set when
// the location observes it at t.
func FromTime(t time.Time) DateTime {
	_, off := t.Zone()
	wd := uint8(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	dt := DateTime{
		Date:      Date{Year: uint16(t.Year()), Month: uint8(t.Month()), Day: uint8(t.Day()), Weekday: wd},
		Time:      Time{Hour: uint8(t.Hour()), Minute: uint8(t.Minute()), Second: uint8(t.Second()), Hundredths: uint8(t.Nanosecond() / 1e7)},
		Deviation: int16(-off / 60),
	}
	if t.IsDST() {
		dt.Status |= StatusDaylightSaving
	}
	return dt
}

// TimeIn converts a fully specified date-time to a time.Time. Hundredths may
// be not specified (read as 0). When the deviation is not specified the
// local time is taken in loc, which must then not be nil.
func (dt DateTime) TimeIn(loc *time.Location) (time.Time, error) {
	if dt.Year == YearNotSpecified || dt.Month == 0 || dt.Month > 12 || dt.Day == 0 || dt.Day > 31 ||
		dt.Hour > 23 || dt.Minute > 59 || dt.Second > 59 {
		return time.Time{}, fmt.Errorf("%w: %s", ErrNotSpecified, dt)
	}
	hs := int(dt.Hundredths)
	if dt.Hundredths == NotSpecified {
		hs = 0
	} else if hs > 99 {
		return time.Time{}, fmt.Errorf("%w: hundredths %d", ErrNotSpecified, hs)
	}
	switch {
	case dt.Deviation != DeviationNotSpecified:
		if dt.Deviation < -720 || dt.Deviation > 840 {
			return time.Time{}, fmt.Errorf("axdr: deviation %d minutes out of range", dt.Deviation)
		}
		loc = time.FixedZone("", -int(dt.Deviation)*60)
	case loc == nil:
		return time.Time{}, fmt.Errorf("%w: deviation", ErrNotSpecified)
	}
	return time.Date(int(dt.Year), time.Month(dt.Month), int(dt.Day), int(dt.Hour), int(dt.Minute),
		int(dt.Second), hs*1e7, loc), nil
}

// String formats the date-time as "2024-03-31 07 02:00:00.00 dev=-60
// status=0x80", with '*' for fields not specified (the weekday is the
// number after the date).
func (dt DateTime) String() string {
	var b strings.Builder
	b.WriteString(dt.Date.String())
	b.WriteByte(' ')
	b.WriteString(dt.Time.String())
	if dt.Deviation == DeviationNotSpecified {
		b.WriteString(" dev=*")
	} else {
		fmt.Fprintf(&b, " dev=%d", dt.Deviation)
	}
	if dt.Status == StatusNotSpecified {
		b.WriteString(" status=*")
	} else {
		fmt.Fprintf(&b, " status=0x%02X", uint8(dt.Status))
	}
	return b.String()
}

// String formats the date as "2024-03-31 07" (year-month-day weekday).
func (d Date) String() string {
	var b strings.Builder
	if d.Year == YearNotSpecified {
		b.WriteString("****")
	} else {
		fmt.Fprintf(&b, "%04d", d.Year)
	}
	b.WriteByte('-')
	switch d.Month {
	case MonthDSTEnd:
		b.WriteString("dst-end")
	case MonthDSTBegin:
		b.WriteString("dst-begin")
	default:
		field(&b, d.Month)
	}
	b.WriteByte('-')
	switch d.Day {
	case DaySecondLast:
		b.WriteString("second-last")
	case DayLast:
		b.WriteString("last")
	default:
		field(&b, d.Day)
	}
	b.WriteByte(' ')
	field(&b, d.Weekday)
	return b.String()
}

// String formats the time as "hh:mm:ss.cc".
func (t Time) String() string {
	var b strings.Builder
	field(&b, t.Hour)
	b.WriteByte(':')
	field(&b, t.Minute)
	b.WriteByte(':')
	field(&b, t.Second)
	b.WriteByte('.')
	field(&b, t.Hundredths)
	return b.String()
}

func field(b *strings.Builder, v uint8) {
	if v == NotSpecified {
		b.WriteString("**")
		return
	}
	fmt.Fprintf(b, "%02d", v)
}
