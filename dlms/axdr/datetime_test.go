package axdr_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

func TestDateTimeFromTimeAndBack(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	for _, tc := range []struct {
		name string
		in   time.Time
		want string // the 12 bytes
	}{
		// Winter: UTC+1, so deviation = -60 (0xFFC4), no DST bit.
		{"winter CET", time.Date(2024, 1, 15, 13, 45, 30, 250e6, berlin), "07E8 01 0F 01 0D 2D 1E 19 FFC4 00"},
		// Summer: UTC+2, deviation -120 (0xFF88), DST bit; 2024-07-07 is a Sunday (7).
		{"summer CEST", time.Date(2024, 7, 7, 0, 0, 0, 0, berlin), "07E8 07 07 07 00 00 00 00 FF88 80"},
		{"UTC", time.Date(1999, 12, 31, 23, 59, 59, 990e6, time.UTC), "07CF 0C 1F 05 17 3B 3B 63 0000 00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dt := axdr.FromTime(tc.in)
			if got, want := dt.Append(nil), unhex(t, tc.want); !bytes.Equal(got, want) {
				t.Errorf("FromTime(%v) = % X, want % X", tc.in, got, want)
			}
			back, err := dt.TimeIn(nil)
			if err != nil || !back.Equal(tc.in) {
				t.Errorf("TimeIn = %v, %v; want %v", back, err, tc.in)
			}
			parsed, err := axdr.ParseDateTime(dt.Append(nil))
			if err != nil || parsed != dt {
				t.Errorf("ParseDateTime = %+v, %v; want %+v", parsed, err, dt)
			}
		})
	}
}

func TestDateTimeWildcards(t *testing.T) {
	// Deviation not specified: the local time is read in the given zone.
	dt, err := axdr.ParseDateTime(unhex(t, "07E8 0301 FF 0C 00 00 FF 8000 FF"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dt.TimeIn(nil); !errors.Is(err, axdr.ErrNotSpecified) {
		t.Errorf("TimeIn(nil) with deviation not specified: err %v, want ErrNotSpecified", err)
	}
	got, err := dt.TimeIn(time.UTC)
	if want := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("TimeIn(UTC) = %v, %v; want %v", got, err, want)
	}
	for _, b := range []string{
		"FFFF 0301 FF 0C 00 00 00 0000 00", // year
		"07E8 FE01 FF 0C 00 00 00 0000 00", // month: DST begin
		"07E8 03FE FF 0C 00 00 00 0000 00", // day: last
		"07E8 0301 FF FF 00 00 00 0000 00", // hour
	} {
		dt, err := axdr.ParseDateTime(unhex(t, b))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dt.TimeIn(time.UTC); !errors.Is(err, axdr.ErrNotSpecified) {
			t.Errorf("%s: TimeIn err %v, want ErrNotSpecified", b, err)
		}
	}
	if _, err := axdr.ParseDateTime(make([]byte, 11)); !errors.Is(err, axdr.ErrLength) {
		t.Errorf("ParseDateTime(11 bytes): %v, want ErrLength", err)
	}
}

func TestDateTimeAccessorOnOctetString(t *testing.T) {
	want := axdr.DateTime{Date: axdr.Date{Year: 2024, Month: 3, Day: 31, Weekday: 7}, Time: axdr.Time{Hour: 2}, Deviation: -60, Status: 0x80}
	for _, v := range []axdr.Value{axdr.OctetString(want.Append(nil)), axdr.DateTimeValue(want)} {
		got, err := v.DateTime()
		if err != nil || got != want {
			t.Errorf("%v.DateTime() = %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := axdr.Uint8(1).DateTime(); err == nil {
		t.Error("unsigned.DateTime(): no error")
	}
}
