package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MeterID is the internal id of a meter, assigned by store/meta. Zero is no
// meter.
type MeterID uint64

// Channel is the OBIS code (IEC 62056-61: A.B.C.D.E.F) of the quantity a
// reading measures, for example 1.0.1.8.0.255 for active energy import.
type Channel [6]byte

// Common channels of a household meter's load profile.
var (
	ActiveImport   = Channel{1, 0, 1, 8, 0, 255} // A+, Wh
	ActiveExport   = Channel{1, 0, 2, 8, 0, 255} // A−, Wh
	ReactiveImport = Channel{1, 0, 3, 8, 0, 255} // R+ (Q1+Q2), varh
	ReactiveExport = Channel{1, 0, 4, 8, 0, 255} // R− (Q3+Q4), varh
)

// String returns the dotted form "1.0.1.8.0.255".
func (c Channel) String() string {
	b := make([]byte, 0, 24)
	for i, v := range c {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return string(b)
}

// ParseChannel reads an OBIS code in the dotted form "1.0.1.8.0.255" or the
// IEC 62056-61 form "1-0:1.8.0*255" (F defaults to 255 when it is omitted).
func ParseChannel(s string) (Channel, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == ':' || r == '*' })
	if len(fields) == 5 && !strings.Contains(s, "*") && strings.Contains(s, ":") {
		fields = append(fields, "255")
	}
	var c Channel
	if len(fields) != 6 {
		return c, fmt.Errorf("OBIS code %q: want 6 groups, got %d: %w", s, len(fields), ErrInvalid)
	}
	for i, f := range fields {
		v, err := strconv.ParseUint(f, 10, 8)
		if err != nil {
			return Channel{}, fmt.Errorf("OBIS code %q: group %d: %w", s, i+1, errors.Join(ErrInvalid, err))
		}
		c[i] = byte(v)
	}
	return c, nil
}

// Quality is the bitset of flags a reading carries. The head-end sets the
// meter's own status bits; the VEE sets the validation and estimation bits.
type Quality uint16

const (
	// Valid: the reading passed validation.
	Valid Quality = 1 << iota
	// Suspect: the reading failed a validation rule and awaits review.
	Suspect
	// Estimated: the value was computed (gap filling), not measured.
	Estimated
	// Edited: an operator set the value; store/meta holds the audit trail.
	Edited
	// Missing: no value was received; the value is not meaningful and
	// aggregates skip the reading.
	Missing
	// ClockAdjusted: the meter's clock was set during the interval.
	ClockAdjusted
	// ClockInvalid: the meter reported its clock as invalid.
	ClockInvalid
	// PowerDown: the meter lost power during the interval.
	PowerDown
	// Rollover: the register wrapped around during the interval.
	Rollover

	// KnownQuality holds every defined flag; Append rejects other bits so
	// that a flag means the same in every engine.
	KnownQuality = Rollover<<1 - 1
)

// Class is the provenance of a reading's value, from its Quality.
type Class uint8

// Classes, in the order Merge ranks them for replacement.
const (
	ClassMissing Class = iota
	ClassEstimated
	ClassActual
	ClassEdited
)

// Class returns the provenance the flags state: Missing wins over Edited,
// Edited over Estimated; a reading with none of the three is Actual.
func (q Quality) Class() Class {
	switch {
	case q&Missing != 0:
		return ClassMissing
	case q&Edited != 0:
		return ClassEdited
	case q&Estimated != 0:
		return ClassEstimated
	default:
		return ClassActual
	}
}

var qualityNames = [...]string{"valid", "suspect", "estimated", "edited", "missing",
	"clock-adjusted", "clock-invalid", "power-down", "rollover"}

// String lists the set flags, "valid|estimated"; "actual" when none is set.
func (q Quality) String() string {
	if q == 0 {
		return "actual"
	}
	var parts []string
	for i, n := range qualityNames {
		if q&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if rest := q &^ KnownQuality; rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%04x", uint16(rest)))
	}
	return strings.Join(parts, "|")
}

// Time range of readings every engine stores: Unix milliseconds from the
// epoch to the end of year 9999 (UTC).
const (
	MinTime int64 = 0
	MaxTime int64 = 253402300799999
)

// Reading is one value of one channel of one meter at one instant.
type Reading struct {
	Meter   MeterID
	Channel Channel
	Time    int64 // Unix milliseconds, UTC
	Value   int64
	Quality Quality
}

// Sample is a reading without its meter and channel, as a scan of one
// series returns it: 24 bytes where a Reading takes 40.
type Sample struct {
	Time    int64 // Unix milliseconds, UTC
	Value   int64
	Quality Quality
}

// Sample returns r's time, value and flags.
func (r Reading) Sample() Sample { return Sample{Time: r.Time, Value: r.Value, Quality: r.Quality} }

// AppendSamples appends the samples of rs to dst.
func AppendSamples(dst []Sample, rs []Reading) []Sample {
	for i := range rs {
		dst = append(dst, rs[i].Sample())
	}
	return dst
}

// Validate reports why r cannot be stored, wrapping ErrInvalid.
func (r Reading) Validate() error {
	switch {
	case r.Meter == 0:
		return fmt.Errorf("reading %s: meter id 0: %w", r, ErrInvalid)
	case r.Time < MinTime || r.Time > MaxTime:
		return fmt.Errorf("reading %s: time outside [%d, %d]: %w", r, MinTime, MaxTime, ErrInvalid)
	case r.Quality&^KnownQuality != 0:
		return fmt.Errorf("reading %s: unknown quality bits 0x%04x: %w", r, uint16(r.Quality&^KnownQuality), ErrInvalid)
	}
	return nil
}

// String names the reading's key and value, "meter 7 1.0.1.8.0.255 @2024-01-01T00:15:00Z = 12 (actual)".
func (r Reading) String() string {
	return fmt.Sprintf("meter %d %s @%s = %d (%s)", r.Meter, r.Channel,
		time.UnixMilli(r.Time).UTC().Format("2006-01-02T15:04:05.000Z"), r.Value, r.Quality)
}

// Millis returns t as Unix milliseconds.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Range is the half-open time interval [From, To) in Unix milliseconds.
type Range struct {
	From, To int64
}

// RangeOf returns [from, to).
func RangeOf(from, to time.Time) Range { return Range{From: from.UnixMilli(), To: to.UnixMilli()} }

// Contains reports whether t is in r.
func (r Range) Contains(t int64) bool { return t >= r.From && t < r.To }
