package config

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// hexBytes is a byte string written in hexadecimal ("000102…", spaces
// allowed).
type hexBytes []byte

func (h *hexBytes) UnmarshalText(b []byte) error {
	s := strings.ReplaceAll(string(b), " ", "")
	v, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("not hexadecimal: %v", err)
	}
	*h = v
	return nil
}

// duration is a Go duration ("15m", "30s").
type duration time.Duration

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("negative duration %s", b)
	}
	*d = duration(v)
	return nil
}

var weekdays = map[string]uint8{"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}

// parseDate reads a date pattern "YEAR-MONTH-DAY[ WEEKDAY]": each field a
// number or *, the day also "last" or "second-last", the weekday mon…sun.
// "*-03-last sun" is the last Sunday of March.
func parseDate(s string) (axdr.Date, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return axdr.Date{}, fmt.Errorf("date %q: want YEAR-MONTH-DAY[ WEEKDAY]", s)
	}
	parts := strings.Split(f[0], "-")
	if len(parts) == 4 && parts[3] == "last" && parts[2] == "second" { // second-last
		parts = []string{parts[0], parts[1], "second-last"}
	}
	if len(parts) != 3 {
		return axdr.Date{}, fmt.Errorf("date %q: want YEAR-MONTH-DAY", s)
	}
	d := axdr.Date{Year: axdr.YearNotSpecified, Month: axdr.NotSpecified, Day: axdr.NotSpecified, Weekday: axdr.NotSpecified}
	if parts[0] != "*" {
		y, err := strconv.ParseUint(parts[0], 10, 16)
		if err != nil || y < 1970 || y > 9999 {
			return d, fmt.Errorf("date %q: year %q", s, parts[0])
		}
		d.Year = uint16(y)
	}
	if parts[1] != "*" {
		m, err := strconv.ParseUint(parts[1], 10, 8)
		if err != nil || m < 1 || m > 12 {
			return d, fmt.Errorf("date %q: month %q", s, parts[1])
		}
		d.Month = uint8(m)
	}
	switch parts[2] {
	case "*":
	case "last":
		d.Day = axdr.DayLast
	case "second-last":
		d.Day = axdr.DaySecondLast
	default:
		n, err := strconv.ParseUint(parts[2], 10, 8)
		if err != nil || n < 1 || n > 31 {
			return d, fmt.Errorf("date %q: day %q", s, parts[2])
		}
		d.Day = uint8(n)
	}
	if len(f) == 2 && f[1] != "*" {
		wd, ok := weekdays[strings.ToLower(f[1])]
		if !ok {
			return d, fmt.Errorf("date %q: weekday %q: want mon…sun", s, f[1])
		}
		d.Weekday = wd
	}
	return d, nil
}

// parseTime reads "HH:MM[:SS]", each field a number or *.
func parseTime(s string) (axdr.Time, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return axdr.Time{}, fmt.Errorf("time %q: want HH:MM[:SS]", s)
	}
	t := axdr.Time{Second: 0, Hundredths: axdr.NotSpecified}
	fields := []*uint8{&t.Hour, &t.Minute, &t.Second}
	for i, p := range parts {
		if p == "*" {
			*fields[i] = axdr.NotSpecified
			continue
		}
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil || int(v) >= []int{24, 60, 60}[i] {
			return t, fmt.Errorf("time %q: field %q", s, p)
		}
		*fields[i] = uint8(v)
	}
	return t, nil
}

// parseDateTime reads "DATE[ WEEKDAY] TIME".
func parseDateTime(s string) (axdr.DateTime, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return axdr.DateTime{}, fmt.Errorf("date-time %q: want DATE[ WEEKDAY] TIME", s)
	}
	d, err := parseDate(strings.Join(f[:len(f)-1], " "))
	if err != nil {
		return axdr.DateTime{}, err
	}
	t, err := parseTime(f[len(f)-1])
	if err != nil {
		return axdr.DateTime{}, err
	}
	return axdr.DateTime{Date: d, Time: t, Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified}, nil
}
