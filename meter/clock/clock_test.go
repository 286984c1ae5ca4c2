package clock

import (
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// cet is central European time: UTC+1, daylight saving from the last
// Sunday of March 02:00 to the last Sunday of October 03:00.
func cet() Config {
	yns := uint16(axdr.YearNotSpecified)
	return Config{
		TimeZone:     -60,
		DSTBegin:     axdr.DateTime{Date: axdr.Date{Year: yns, Month: 3, Day: axdr.DayLast, Weekday: 7}, Time: axdr.Time{Hour: 2}},
		DSTEnd:       axdr.DateTime{Date: axdr.Date{Year: yns, Month: 10, Day: axdr.DayLast, Weekday: 7}, Time: axdr.Time{Hour: 3}},
		DSTDeviation: 60,
		DSTEnabled:   true,
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDrift(t *testing.T) {
	t0 := utc("2024-01-01T00:00:00Z")
	c, err := New(Config{DriftPPM: 100}, t0, t0)
	if err != nil {
		t.Fatal(err)
	}
	// 10⁶ s at +100 ppm gains exactly 100 s.
	tr := t0.Add(1e6 * time.Second)
	if got, want := c.Now(tr), tr.Add(100*time.Second); !got.Equal(want) {
		t.Fatalf("Now = %v, want %v", got, want)
	}
	m := utc("2024-01-05T00:00:00Z")
	at := c.TrueAt(m)
	if c.Now(at).Before(m) || !c.Now(at.Add(-time.Nanosecond)).Before(m) {
		t.Fatalf("TrueAt(%v) = %v reads %v", m, at, c.Now(at))
	}
	slow, _ := New(Config{DriftPPM: -50}, t0, t0)
	if got, want := slow.Now(t0.Add(20000*time.Second)), t0.Add(20000*time.Second-time.Second); !got.Equal(want) {
		t.Fatalf("slow clock Now = %v, want %v", got, want)
	}
}

func TestDST(t *testing.T) {
	c, err := New(cet(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   string
		dst  bool
		wall string
		dev  int16
	}{
		{"2024-03-31T00:59:59Z", false, "2024-03-31 01:59:59", -60},
		{"2024-03-31T01:00:00Z", true, "2024-03-31 03:00:00", -120},
		{"2024-07-01T12:00:00Z", true, "2024-07-01 14:00:00", -120},
		{"2024-10-27T00:59:59Z", true, "2024-10-27 02:59:59", -120},
		{"2024-10-27T01:00:00Z", false, "2024-10-27 02:00:00", -60},
		{"2024-12-31T23:30:00Z", false, "2025-01-01 00:30:00", -60},
	} {
		m := utc(tc.at)
		if got := c.DST(m); got != tc.dst {
			t.Errorf("DST(%s) = %v", tc.at, got)
		}
		if got := c.Wall(m).Format("2006-01-02 15:04:05"); got != tc.wall {
			t.Errorf("Wall(%s) = %s, want %s", tc.at, got, tc.wall)
		}
		dt := c.DateTime(m)
		if dt.Deviation != tc.dev || (dt.Status&axdr.StatusDaylightSaving != 0) != tc.dst {
			t.Errorf("DateTime(%s) = %s", tc.at, dt)
		}
		if back := c.FromWall(c.Wall(m)); !back.Equal(m) && tc.at != "2024-10-27T01:00:00Z" {
			t.Errorf("FromWall(Wall(%s)) = %v", tc.at, back)
		}
	}
	// The repeated hour reads as its daylight occurrence.
	w, _ := time.Parse("2006-01-02 15:04:05", "2024-10-27 02:30:00")
	if got := c.FromWall(w); !got.Equal(utc("2024-10-27T00:30:00Z")) {
		t.Errorf("FromWall(repeated 02:30) = %v", got)
	}
	next, ok := c.NextDSTChange(utc("2024-07-01T00:00:00Z"))
	if !ok || !next.Equal(utc("2024-10-27T01:00:00Z")) {
		t.Errorf("NextDSTChange = %v %v", next, ok)
	}
	next, _ = c.NextDSTChange(utc("2024-11-01T00:00:00Z"))
	if !next.Equal(utc("2025-03-30T01:00:00Z")) {
		t.Errorf("NextDSTChange after October = %v", next)
	}
}

func TestSouthernDST(t *testing.T) {
	// Sydney: UTC+10, saving from the first Sunday of October 02:00 to the
	// first Sunday of April 03:00.
	yns := uint16(axdr.YearNotSpecified)
	cfg := Config{
		TimeZone:     -600,
		DSTBegin:     axdr.DateTime{Date: axdr.Date{Year: yns, Month: 10, Day: 1, Weekday: 7}, Time: axdr.Time{Hour: 2}},
		DSTEnd:       axdr.DateTime{Date: axdr.Date{Year: yns, Month: 4, Day: 1, Weekday: 7}, Time: axdr.Time{Hour: 3}},
		DSTDeviation: 60, DSTEnabled: true,
	}
	c, err := New(cfg, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	for m := utc("2024-01-01T00:30:00Z"); m.Year() < 2026; m = m.Add(7 * time.Hour) {
		if got, want := c.DST(m), m.In(loc).IsDST(); got != want {
			t.Fatalf("DST(%v) = %v, tz database says %v", m, got, want)
		}
	}
}

func TestAdjustments(t *testing.T) {
	t0 := utc("2024-01-10T10:07:29Z")
	c, _ := New(Config{}, t0, t0)
	ch := c.AdjustToQuarter(t0)
	if ch.Kind != KindAdjustQuarter || !ch.Old.Equal(t0) || !ch.New.Equal(utc("2024-01-10T10:00:00Z")) {
		t.Fatalf("adjust_to_quarter at 10:07:29: %+v", ch)
	}
	c.Set(t0, utc("2024-01-10T10:07:30Z"))
	if ch := c.AdjustToQuarter(t0); !ch.New.Equal(utc("2024-01-10T10:15:00Z")) {
		t.Fatalf("adjust_to_quarter at 10:07:30: %v", ch.New)
	}
	c.Set(t0, utc("2024-01-10T10:00:29.9Z"))
	if ch := c.AdjustToMinute(t0); !ch.New.Equal(utc("2024-01-10T10:00:00Z")) {
		t.Fatalf("adjust_to_minute: %v", ch.New)
	}
	ch, err := c.Shift(t0.Add(time.Second), -900)
	if err != nil || !ch.New.Equal(utc("2024-01-10T09:45:01Z")) || ch.Kind != KindShift {
		t.Fatalf("shift_time -900: %+v %v", ch, err)
	}
	if _, err := c.Shift(t0, 901); !errors.Is(err, ErrRange) {
		t.Fatalf("shift of 901 s: %v", err)
	}
	// Adjustments round local time, not UTC: with a 30-minute zone the
	// quarter falls on the local clock face.
	c2, _ := New(Config{TimeZone: -330}, t0, utc("2024-01-10T10:00:00Z")) // India, local 15:30
	ch, _ = c2.AdjustToPeriod(t0, time.Hour)
	if got := c2.Wall(ch.New).Format("15:04"); got != "16:00" {
		t.Fatalf("adjust_to_measuring_period(1h) at local 15:30 = %s", got)
	}
}

func TestSetAndStatus(t *testing.T) {
	t0 := utc("2024-06-01T00:00:00Z")
	c, _ := New(cet(), t0, t0)
	c.Invalidate()
	c.MarkDoubtful()
	if s := c.Status(t0); s != axdr.StatusInvalid|axdr.StatusDoubtful|axdr.StatusDaylightSaving {
		t.Fatalf("status %#x", s)
	}
	// 12:00 local summer time with deviation −120 is 10:00 UTC.
	dt := axdr.DateTime{Date: axdr.Date{Year: 2024, Month: 6, Day: 1, Weekday: 6}, Time: axdr.Time{Hour: 12}, Deviation: -120}
	ch, err := c.SetDateTime(t0.Add(time.Minute), dt)
	if err != nil || !ch.New.Equal(utc("2024-06-01T10:00:00Z")) || !ch.Old.Equal(t0.Add(time.Minute)) {
		t.Fatalf("SetDateTime: %+v %v", ch, err)
	}
	if s := c.Status(ch.New); s != axdr.StatusDaylightSaving {
		t.Fatalf("status after set %#x", s)
	}
	// Deviation not specified: read in the meter's own zone.
	dt.Deviation = axdr.DeviationNotSpecified
	ch, _ = c.SetDateTime(t0, dt)
	if !ch.New.Equal(utc("2024-06-01T10:00:00Z")) {
		t.Fatalf("SetDateTime without deviation: %v", ch.New)
	}
	dt.Month = 13
	if _, err := c.SetDateTime(t0, dt); !errors.Is(err, ErrRange) {
		t.Fatalf("month 13: %v", err)
	}
}

func TestPreset(t *testing.T) {
	t0 := utc("2024-06-01T00:00:00Z")
	c, _ := New(Config{}, t0, t0)
	p := Preset{Time: utc("2024-06-01T00:00:30Z"), ValidFrom: utc("2024-05-31T23:59:00Z"), ValidTo: utc("2024-06-01T00:01:00Z")}
	if ch, ok := c.AdjustToPreset(t0, p); !ok || !ch.New.Equal(p.Time) {
		t.Fatalf("preset inside its window: %+v %v", ch, ok)
	}
	if _, ok := c.AdjustToPreset(t0.Add(time.Hour), p); ok {
		t.Fatal("preset applied outside its window")
	}
}

func TestStateRoundTrip(t *testing.T) {
	t0 := utc("2024-06-01T00:00:00Z")
	c, _ := New(Config{DriftPPM: 12.5, TimeZone: -60}, t0, t0.Add(3*time.Second))
	c.MarkDoubtful()
	r, err := Restore(c.State())
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(48 * time.Hour)
	if !r.Now(later).Equal(c.Now(later)) || r.Status(later) != c.Status(later) {
		t.Fatal("restored clock reads differently")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, bad := range []Config{{TimeZone: 721}, {DriftPPM: 2000}, {DSTDeviation: 121}, func() Config { c := cet(); c.DSTEnd.Date.Month = 0xFF; return c }()} {
		if _, err := New(bad, time.Time{}, time.Time{}); !errors.Is(err, ErrRange) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
