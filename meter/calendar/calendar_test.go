package calendar

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

const ns = axdr.NotSpecified

func wall(s string) Wall {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(y uint16, m, d, wd uint8) axdr.Date {
	return axdr.Date{Year: y, Month: m, Day: d, Weekday: wd}
}

func TestResolve(t *testing.T) {
	yns := uint16(axdr.YearNotSpecified)
	for _, tc := range []struct {
		name string
		p    axdr.Date
		year int
		want string // "" = no day
	}{
		{"last Sunday of March 2024 (EU DST begin)", date(yns, 3, axdr.DayLast, 7), 2024, "2024-03-31"},
		{"last Sunday of March 2025", date(yns, 3, axdr.DayLast, 7), 2025, "2025-03-30"},
		{"last Sunday of October 2024", date(yns, 10, axdr.DayLast, 7), 2024, "2024-10-27"},
		{"first Sunday on or after the 25th", date(yns, 3, 25, 7), 2024, "2024-03-31"},
		{"second Sunday of March (US) as 8th onward", date(yns, 3, 8, 7), 2024, "2024-03-10"},
		{"first Monday of the month", date(yns, 9, ns, 1), 2024, "2024-09-02"},
		{"second last day", date(yns, 2, axdr.DaySecondLast, ns), 2024, "2024-02-28"},
		{"plain date", date(yns, 4, 1, ns), 2023, "2023-04-01"},
		{"29 February in a common year", date(yns, 2, 29, ns), 2023, ""},
		{"specific year, other year", date(2024, 4, 1, ns), 2025, ""},
		{"month not specified", date(yns, ns, 1, ns), 2024, ""},
		{"month alone", date(yns, 5, ns, ns), 2024, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Resolve(tc.p, tc.year)
			if tc.want == "" {
				if ok {
					t.Fatalf("Resolve = %v, want none", got)
				}
				return
			}
			if !ok || got.Format("2006-01-02") != tc.want {
				t.Fatalf("Resolve = %v %v, want %s", got, ok, tc.want)
			}
		})
	}
}

func TestMatchDate(t *testing.T) {
	yns := uint16(axdr.YearNotSpecified)
	for _, tc := range []struct {
		p    axdr.Date
		w    string
		want bool
	}{
		{date(yns, 12, 25, ns), "2024-12-25 10:00:00", true},
		{date(yns, 12, 25, ns), "2024-12-26 10:00:00", false},
		{date(yns, ns, axdr.DayLast, ns), "2024-02-29 00:00:00", true},
		{date(yns, ns, axdr.DayLast, ns), "2023-02-28 00:00:00", true},
		{date(yns, ns, axdr.DaySecondLast, ns), "2024-04-29 00:00:00", true},
		{date(yns, ns, ns, 6), "2024-06-01 00:00:00", true}, // a Saturday
		{date(yns, ns, ns, 6), "2024-06-02 00:00:00", false},
		{date(2024, ns, 1, ns), "2025-01-01 00:00:00", false},
		{date(yns, axdr.MonthDSTBegin, ns, ns), "2024-03-31 00:00:00", false},
	} {
		if got := MatchDate(tc.p, wall(tc.w)); got != tc.want {
			t.Errorf("MatchDate(%s, %s) = %v", tc.p, tc.w, got)
		}
	}
}

func TestNextMatch(t *testing.T) {
	yns := uint16(axdr.YearNotSpecified)
	midnight := axdr.Time{Hour: 0, Minute: 0, Second: 0, Hundredths: ns}
	for _, tc := range []struct {
		name string
		d    axdr.Date
		tm   axdr.Time
		from string
		want string
	}{
		{"daily midnight", date(yns, ns, ns, ns), midnight, "2024-01-31 23:59:59", "2024-02-01 00:00:00"},
		{"strictly after", date(yns, ns, ns, ns), midnight, "2024-02-01 00:00:00", "2024-02-02 00:00:00"},
		{"first of month", date(yns, ns, 1, ns), midnight, "2024-01-15 12:00:00", "2024-02-01 00:00:00"},
		{"every hour on the hour", date(yns, ns, ns, ns), axdr.Time{Hour: ns, Minute: 0, Second: 0, Hundredths: ns}, "2024-01-15 12:00:01", "2024-01-15 13:00:00"},
		{"every minute", date(yns, ns, ns, ns), axdr.Time{Hour: ns, Minute: ns, Second: 30, Hundredths: ns}, "2024-01-15 23:59:30", "2024-01-16 00:00:30"},
		{"29 February", date(yns, 2, 29, ns), midnight, "2025-01-01 00:00:00", "2028-02-29 00:00:00"},
		{"fraction of a second", date(yns, ns, ns, ns), axdr.Time{Hour: 10, Minute: 0, Second: 0}, "2024-01-15 09:59:59.5", "2024-01-15 10:00:00"},
		{"Sundays at 02:30", date(yns, ns, ns, 7), axdr.Time{Hour: 2, Minute: 30, Second: 0}, "2024-06-02 02:30:00", "2024-06-09 02:30:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, err := time.Parse("2006-01-02 15:04:05.999", tc.from)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := NextMatch(tc.d, tc.tm, from)
			if !ok || !got.Equal(wall(tc.want)) {
				t.Fatalf("NextMatch = %v %v, want %s", got, ok, tc.want)
			}
		})
	}
	if got, ok := NextMatch(date(2020, 1, 1, ns), midnight, wall("2024-01-01 00:00:00")); ok {
		t.Fatalf("a past date matched at %v", got)
	}
}

// touCalendar is a two-season, two-rate calendar: on summer working days
// tariff 1 from 07:00 and tariff 2 from 21:00; weekends tariff 2 all day;
// in winter tariff 3 from 06:00 and tariff 4 from 22:00.
func touCalendar() Calendar {
	yns := uint16(axdr.YearNotSpecified)
	tbl := [6]byte{0, 0, 10, 0, 100, 255}
	at := func(h uint8, sel uint16) Action {
		return Action{Start: axdr.Time{Hour: h, Minute: 0, Second: 0}, Script: Script{Table: tbl, Selector: sel}}
	}
	return Calendar{
		Name: "TOU-1",
		Seasons: []Season{
			{Name: "summer", Start: axdr.DateTime{Date: date(yns, 4, 1, ns)}, Week: "sw"},
			{Name: "winter", Start: axdr.DateTime{Date: date(yns, 10, 1, ns)}, Week: "ww"},
		},
		Weeks: []Week{
			{Name: "sw", Days: [7]uint8{1, 1, 1, 1, 1, 2, 2}},
			{Name: "ww", Days: [7]uint8{3, 3, 3, 3, 3, 3, 3}},
		},
		Days: []Day{
			{ID: 1, Actions: []Action{at(21, 2), at(7, 1)}}, // unsorted on purpose
			{ID: 2, Actions: []Action{at(0, 2)}},
			{ID: 3, Actions: []Action{at(6, 3), at(22, 4)}},
		},
	}
}

func TestCalendarAt(t *testing.T) {
	c := touCalendar()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	special := &SpecialDays{}
	if err := special.Insert(SpecialDay{Index: 1, Date: date(axdr.YearNotSpecified, 6, 12, ns), DayID: 2}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at    string
		want  uint16 // 0 = none
		until string
	}{
		{"2024-06-10 06:59:59", 2, "2024-06-10 07:00:00"}, // Monday before 07:00: Sunday's last action (tariff 2) holds
		{"2024-06-10 07:00:00", 1, "2024-06-10 21:00:00"},
		{"2024-06-10 20:59:59", 1, "2024-06-10 21:00:00"},
		{"2024-06-10 21:00:00", 2, "2024-06-11 00:00:00"},
		{"2024-06-11 03:00:00", 2, "2024-06-11 07:00:00"}, // Monday 21:00 carried over
		{"2024-06-12 12:00:00", 2, "2024-06-13 00:00:00"}, // special day
		{"2024-06-15 12:00:00", 2, "2024-06-16 00:00:00"}, // Saturday
		{"2024-09-30 23:00:00", 2, "2024-10-01 00:00:00"}, // last summer day
		{"2024-10-01 05:00:00", 2, "2024-10-01 06:00:00"}, // first winter day before 06:00: yesterday (summer Monday) ended on tariff 2
		{"2024-10-02 05:00:00", 4, "2024-10-02 06:00:00"}, // second winter day: yesterday ended on tariff 4
		{"2024-01-15 12:00:00", 3, "2024-01-15 22:00:00"}, // winter started last year
	} {
		s, until, ok := c.At(wall(tc.at), special)
		if !ok || s.Selector != tc.want || !until.Equal(wall(tc.until)) {
			t.Errorf("At(%s) = %d until %v (%v), want %d until %s", tc.at, s.Selector, until, ok, tc.want, tc.until)
		}
	}
	var empty Calendar
	if _, until, ok := empty.At(wall("2024-01-01 10:00:00"), nil); ok || !until.Equal(wall("2024-01-02 00:00:00")) {
		t.Errorf("empty calendar: ok=%v until %v", ok, until)
	}
}

func TestCalendarValidate(t *testing.T) {
	c := touCalendar()
	c.Seasons[1].Week = "nope"
	if err := c.Validate(); err == nil {
		t.Error("missing week profile accepted")
	}
	c = touCalendar()
	c.Weeks[0].Days[3] = 9
	if err := c.Validate(); err == nil {
		t.Error("missing day profile accepted")
	}
	c = touCalendar()
	c.Days[0].Actions[0].Start.Hour = 24
	if err := c.Validate(); err == nil {
		t.Error("hour 24 accepted")
	}
}

func TestActivatePassive(t *testing.T) {
	a := Activity{Passive: touCalendar(), ActivateAt: wall("2024-06-01 00:00:00")}
	if a.Due(wall("2024-05-31 23:59:59")) || !a.Due(wall("2024-06-01 00:00:00")) {
		t.Fatal("Due wrong around the activation time")
	}
	a.ActivatePassive()
	if a.Active.Name != "TOU-1" || !a.ActivateAt.IsZero() || a.Passive.Name != "TOU-1" {
		t.Fatalf("after activation: %+v", a)
	}
	a.Passive.Days[0].Actions[0].Script.Selector = 9
	if a.Active.Days[0].Actions[0].Script.Selector == 9 {
		t.Fatal("active calendar shares memory with the passive one")
	}
}

func TestSpecialDays(t *testing.T) {
	var s SpecialDays
	yns := uint16(axdr.YearNotSpecified)
	for _, e := range []SpecialDay{{3, date(yns, 12, 25, ns), 2}, {1, date(yns, 1, 1, ns), 2}, {3, date(yns, 12, 26, ns), 5}} {
		if err := s.Insert(e); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.Entries) != 2 || s.Entries[0].Index != 1 || s.Entries[1].DayID != 5 {
		t.Fatalf("entries %+v", s.Entries)
	}
	if id, ok := s.Match(wall("2030-12-26 08:00:00")); !ok || id != 5 {
		t.Fatalf("Match = %d %v", id, ok)
	}
	if !s.Delete(1) || s.Delete(1) {
		t.Fatal("Delete")
	}
	if err := s.Insert(SpecialDay{Index: 4, Date: date(yns, 13, 1, ns)}); err == nil {
		t.Fatal("month 13 accepted")
	}
}

func TestSchedule(t *testing.T) {
	yns := uint16(axdr.YearNotSpecified)
	midnight := axdr.Time{Hour: 0, Minute: 0, Second: 0, Hundredths: ns}
	billing := Schedule{Type: 1, Times: []ExecutionTime{{midnight, date(yns, ns, 1, ns)}}}
	if err := billing.Validate(); err != nil {
		t.Fatal(err)
	}
	got, ok := billing.Next(wall("2024-02-29 23:59:59"))
	if !ok || !got.Equal(wall("2024-03-01 00:00:00")) {
		t.Fatalf("Next = %v", got)
	}
	two := Schedule{Type: 5, Times: []ExecutionTime{{axdr.Time{Hour: 12}, date(yns, ns, ns, ns)}, {axdr.Time{Hour: 6}, date(yns, ns, ns, ns)}}}
	if got, _ := two.Next(wall("2024-01-01 07:00:00")); !got.Equal(wall("2024-01-01 12:00:00")) {
		t.Fatalf("type 5 Next = %v", got)
	}
	for _, bad := range []Schedule{
		{Type: 0},
		{Type: 1, Times: []ExecutionTime{{midnight, date(yns, 1, 1, ns)}, {midnight, date(yns, 2, 1, ns)}}},
		{Type: 2, Times: []ExecutionTime{{midnight, date(yns, 1, 1, ns)}}},
		{Type: 3, Times: []ExecutionTime{{midnight, date(yns, 1, 1, ns)}, {axdr.Time{Hour: 1}, date(yns, 1, 1, ns)}}},
		{Type: 5, Times: []ExecutionTime{{axdr.Time{Hour: 25}, date(yns, 1, 1, ns)}}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
