package schedule

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ spec, after, want string }{
		{"*/15 * * * *", "2024-03-01T12:07:30Z", "2024-03-01T12:15:00Z"},
		{"*/15 * * * *", "2024-03-01T12:15:00Z", "2024-03-01T12:30:00Z"},
		{"@every 15m", "2024-03-01T23:50:00Z", "2024-03-02T00:00:00Z"},
		{"@every 1h30m", "2024-03-01T01:00:00Z", "2024-03-01T01:30:00Z"},
		{"@daily", "2024-03-01T12:00:00Z", "2024-03-02T00:00:00Z"},
		{"5 2 * * *", "2024-03-01T02:05:00Z", "2024-03-02T02:05:00Z"},
		{"0 0 1 * *", "2024-02-15T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"30 6 * * 1-5", "2024-03-01T07:00:00Z", "2024-03-04T06:30:00Z"}, // Friday → Monday
		{"0 12 * * 7", "2024-03-01T00:00:00Z", "2024-03-03T12:00:00Z"},   // 7 is Sunday
		{"0 0 13 * 5", "2024-03-02T00:00:00Z", "2024-03-08T00:00:00Z"},   // the 13th or a Friday
		{"0,30 8-9 * * *", "2024-03-01T08:30:00Z", "2024-03-01T09:00:00Z"},
	}
	for _, c := range cases {
		s, err := Parse(c.spec, nil)
		if err != nil {
			t.Fatalf("%q: %v", c.spec, err)
		}
		if got := s.Next(at(c.after)); !got.Equal(at(c.want)) {
			t.Errorf("%q after %s: %s, want %s", c.spec, c.after, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestNextInLocation(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	s, _ := Parse("0 2 * * *", berlin)
	got := s.Next(time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2024, 1, 11, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("02:00 Berlin in January is %v UTC, want %v", got.UTC(), want)
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
		"*/0 * * * *", "5-1 * * * *", "x * * * *", "@every 7m", "@every 0s", "@every banana"} {
		if _, err := Parse(bad, nil); !errors.Is(err, ErrSpec) {
			t.Errorf("%q: %v, want ErrSpec", bad, err)
		}
	}
}

func TestOffsetSpreads(t *testing.T) {
	const window = 10 * time.Minute
	var buckets [10]int
	for i := range 10_000 {
		o := Offset("profile-15min", fmt.Sprintf("%08d", i), window)
		if o < 0 || o >= window {
			t.Fatalf("offset %v outside the window", o)
		}
		buckets[o/time.Minute]++
	}
	for i, n := range buckets {
		if n < 900 || n > 1100 { // 1 000 expected per minute
			t.Errorf("minute %d has %d meters", i, n)
		}
	}
	if Offset("a", "m1", window) != Offset("a", "m1", window) || Offset("a", "m1", window) == Offset("b", "m1", window) {
		t.Errorf("offsets not stable per meter and schedule")
	}
}
