package store

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseChannel(t *testing.T) {
	tests := []struct {
		in      string
		want    Channel
		wantErr bool
	}{
		{"1.0.1.8.0.255", ActiveImport, false},
		{"1-0:1.8.0*255", ActiveImport, false},
		{"1-0:2.8.0", ActiveExport, false},
		{"0.0.96.1.0.255", Channel{0, 0, 96, 1, 0, 255}, false},
		{"1.0.1.8.0", Channel{}, true},
		{"1.0.1.8.0.256", Channel{}, true},
		{"1.0.x.8.0.255", Channel{}, true},
		{"", Channel{}, true},
	}
	for _, tt := range tests {
		got, err := ParseChannel(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseChannel(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseChannel(%q): %v does not wrap ErrInvalid", tt.in, err)
		}
		if err == nil && tt.in[1] == '.' && got.String() != tt.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tt.in)
		}
	}
}

func TestQuality(t *testing.T) {
	tests := []struct {
		q     Quality
		class Class
		str   string
	}{
		{0, ClassActual, "actual"},
		{Valid, ClassActual, "valid"},
		{Estimated | Valid, ClassEstimated, "valid|estimated"},
		{Edited | Estimated, ClassEdited, "estimated|edited"},
		{Missing | Edited, ClassMissing, "edited|missing"},
		{PowerDown | Rollover, ClassActual, "power-down|rollover"},
		{1 << 15, ClassActual, "0x8000"},
	}
	for _, tt := range tests {
		if got := tt.q.Class(); got != tt.class {
			t.Errorf("%v.Class() = %d, want %d", tt.q, got, tt.class)
		}
		if got := tt.q.String(); got != tt.str {
			t.Errorf("Quality(%#x).String() = %q, want %q", uint16(tt.q), got, tt.str)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Reading{Meter: 1, Channel: ActiveImport, Time: MaxTime, Value: -5, Quality: KnownQuality}
	if err := ok.Validate(); err != nil {
		t.Errorf("%v: %v", ok, err)
	}
	for _, bad := range []Reading{
		{Channel: ActiveImport},
		{Meter: 1, Time: -1},
		{Meter: 1, Time: MaxTime + 1},
		{Meter: 1, Quality: KnownQuality + 1},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", bad, err)
		}
	}
}

// TestMergeIsIdempotent: applying the same incoming reading twice changes
// nothing the second time, for every pair of classes, values and flags.
func TestMergeIsIdempotent(t *testing.T) {
	qs := []Quality{0, Valid, Suspect, Estimated, Estimated | PowerDown, Edited, Missing, Missing | PowerDown}
	for _, sq := range qs {
		for _, iq := range qs {
			for _, iv := range []int64{10, 11} {
				stored := Reading{Meter: 1, Channel: ActiveImport, Time: 5, Value: 10, Quality: sq}
				in := stored
				in.Value, in.Quality = iv, iq
				once, o1 := Merge(stored, in)
				twice, o2 := Merge(once, in)
				if twice != once || o2 != Unchanged && o2 != Conflicted {
					t.Errorf("stored %v, incoming %v: once %v (%d), twice %v (%d)", stored, in, once, o1, twice, o2)
				}
				if o1 == Conflicted && once != stored {
					t.Errorf("stored %v, incoming %v: a conflict changed the stored reading to %v", stored, in, once)
				}
				if o2 == Conflicted && o1 != Conflicted {
					t.Errorf("stored %v, incoming %v: conflicts only the second time", stored, in)
				}
			}
		}
	}
}

func TestBucketer(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	ms := func(s string) int64 {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UnixMilli()
	}
	tests := []struct {
		step       Step
		loc        *time.Location
		at         string
		start, end string
	}{
		{Step15Min, nil, "2024-03-01T10:14:59Z", "2024-03-01T10:00:00Z", "2024-03-01T10:15:00Z"},
		{StepHour, nil, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T01:00:00Z"},
		{StepDay, berlin, "2024-10-27T12:00:00Z", "2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"},  // 25 h
		{StepDay, berlin, "2024-03-31T12:00:00Z", "2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z"},  // 23 h
		{StepHour, berlin, "2024-10-27T00:30:00Z", "2024-10-27T00:00:00Z", "2024-10-27T01:00:00Z"}, // 02:30 CEST
		{StepHour, berlin, "2024-10-27T01:30:00Z", "2024-10-27T01:00:00Z", "2024-10-27T02:00:00Z"}, // 02:30 CET
		{StepMonth, newYork, "2024-03-01T04:59:59Z", "2024-02-01T05:00:00Z", "2024-03-01T05:00:00Z"},
		{StepMonth, newYork, "2024-03-31T12:00:00Z", "2024-03-01T05:00:00Z", "2024-04-01T04:00:00Z"}, // DST inside
		{StepMonth, nil, "2024-12-31T23:59:59Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		b := NewBucketer(tt.step, tt.loc)
		for range 2 { // computed, then cached
			s, e := b.Bounds(ms(tt.at))
			if s != ms(tt.start) || e != ms(tt.end) {
				t.Errorf("%s in %v at %s: [%s, %s), want [%s, %s)", tt.step, tt.loc, tt.at,
					time.UnixMilli(s).UTC().Format(time.RFC3339), time.UnixMilli(e).UTC().Format(time.RFC3339), tt.start, tt.end)
			}
		}
	}
}

func TestCombine(t *testing.T) {
	var a, b Bucket
	for _, v := range []int64{5, 3, 9} {
		a.Add(v)
	}
	for _, v := range []int64{-1, 4} {
		b.Add(v)
	}
	a.Meter, a.Start, b.Meter, b.Start = 1, 100, 2, 100
	c := Bucket{Meter: 2, Start: 200, Count: 1, Sum: 7, Min: 7, Max: 7, First: 7, Last: 7}
	got := Combine([]Bucket{a, b, c})
	want := []Bucket{
		{Start: 100, Count: 5, Sum: 20, Min: -1, Max: 9, First: 4, Last: 13},
		{Start: 200, Count: 1, Sum: 7, Min: 7, Max: 7, First: 7, Last: 7},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Combine = %+v, want %+v", got, want)
	}
	// Fold of a later summary equals adding its readings.
	var f Bucket
	f.Fold(a)
	f.Fold(b)
	var g Bucket
	for _, v := range []int64{5, 3, 9, -1, 4} {
		g.Add(v)
	}
	if f != g {
		t.Errorf("Fold = %+v, Add = %+v", f, g)
	}
}
