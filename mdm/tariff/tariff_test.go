package tariff

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in   string
		want Money
		err  bool
	}{
		{"0.5283", 528300, false},
		{"12", 12_000_000, false},
		{"-1.5", -1_500_000, false},
		{"3.", 3_000_000, false},
		{".25", 250_000, false},
		{"0.000001", 1, false},
		{"0.0000001", 0, true}, // seven decimals
		{"", 0, true},
		{".", 0, true},
		{"1e3", 0, true},
		{"1,5", 0, true},
		{"99999999999999", 0, true},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, error %v", c.in, got, err, c.want, c.err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseMoney(%q): %v does not wrap ErrInvalid", c.in, err)
		}
	}
}

func TestMoneyRoundAndFormat(t *testing.T) {
	cases := []struct {
		m      Money
		digits int
		want   string
	}{
		{24_925_000, 2, "24.93"}, // half a cent: away from zero
		{-24_925_000, 2, "-24.93"},
		{69_667_500, 2, "69.67"},
		{1_274_999, 2, "1.27"},
		{5, 0, "0"},
		{500_000, 0, "1"},
		{528_300, 6, "0.528300"},
	}
	for _, c := range cases {
		if got := c.m.Round(c.digits).Format(c.digits); got != c.want {
			t.Errorf("%d rounded to %d digits = %s, want %s", c.m, c.digits, got, c.want)
		}
	}
}

func TestCost(t *testing.T) {
	cases := []struct {
		qty   int64
		price Money
		per   int64
		want  Money
	}{
		{134_080, 617_000, 1000, 82_730_000},              // 134.08 kWh × 0.617 = 82.72736
		{99_700, 250_000, 1000, 24_930_000},               // 24.925: half up
		{30, 225_300, 1, 6_760_000},                       // 6.759
		{-99_700, 250_000, 1000, -24_930_000},             // a credit rounds away from zero too
		{1 << 40, 1_000_000, 1000, 1_099_511_627_780_000}, // 1.1·10⁹ kWh at 1.00: the product needs 128 bits
	}
	for _, c := range cases {
		if got := Cost(c.qty, c.price, c.per, 2); got != c.want {
			t.Errorf("Cost(%d, %s, %d) = %s, want %s", c.qty, c.price, c.per, got, c.want)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	b, _ := Money(528300).MarshalJSON()
	if string(b) != `"0.5283"` {
		t.Errorf("marshal 528300 = %s", b)
	}
	var m Money
	for _, in := range []string{`"0.5283"`, `0.5283`} {
		if err := m.UnmarshalJSON([]byte(in)); err != nil || m != 528300 {
			t.Errorf("unmarshal %s = %d, %v", in, m, err)
		}
	}
	if err := m.UnmarshalJSON([]byte(`"0.12345678"`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("eight decimals: %v", err)
	}
}

const twoPeriods = `{"zone": "Europe/Berlin", "periods": [{"name": "HT", "price": "0.35"}, {"name": "NT", "price": "0.25"}],
 "seasons": [{"from": "01-01", "days": {"weekday": [{"at": "00:00", "period": "NT"}, {"at": "06:00", "period": "HT"}, {"at": "22:00", "period": "NT"}],
   "sunday": [{"at": "00:00", "period": "NT"}]}}],
 "holidays": ["2024-12-25"]}`

func TestParseRefuses(t *testing.T) {
	cases := []struct{ name, def, want string }{
		{"unknown field", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "tarif": 1}`, "unknown field"},
		{"no zone", `{"periods": [{"name": "a", "price": "1"}]}`, "no zone"},
		{"bad zone", `{"zone": "Mars/Olympus", "periods": [{"name": "a", "price": "1"}]}`, "Mars/Olympus"},
		{"no periods", `{"zone": "UTC", "periods": []}`, "0 periods"},
		{"periods without seasons", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}, {"name": "b", "price": "1"}]}`, "neither seasons"},
		{"register of no period", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "registers": {"1.0.1.8.1.255": "b"}}`, `counts no period "b"`},
		{"register not an OBIS code", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "registers": {"A+": "a"}}`, `OBIS code "A+"`},
		{"first switch not at midnight", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}],
			"seasons": [{"from": "01-01", "days": {"weekday": [{"at": "01:00", "period": "a"}]}}]}`, "start at 00:00"},
		{"switches out of order", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}],
			"seasons": [{"from": "01-01", "days": {"weekday": [{"at": "00:00", "period": "a"}, {"at": "09:00", "period": "a"}, {"at": "08:00", "period": "a"}]}}]}`, "increase"},
		{"unknown period", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}],
			"seasons": [{"from": "01-01", "days": {"weekday": [{"at": "00:00", "period": "b"}]}}]}`, `no period "b"`},
		{"no weekday profile", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}],
			"seasons": [{"from": "01-01", "days": {"sunday": [{"at": "00:00", "period": "a"}]}}]}`, "no weekday"},
		{"last tier bounded", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "ladder": [{"up_to_kwh": 230}]}`, "must be open"},
		{"tier bounds not increasing", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "ladder": [{"up_to_kwh": 400}, {"up_to_kwh": 230}, {}]}`, "not above"},
		{"cycle day 29", `{"zone": "UTC", "cycle_day": 29, "periods": [{"name": "a", "price": "1"}]}`, "cycle_day"},
		{"demand window 7 min", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "demand": {"per_kw": "1", "window_minutes": 7}}`, "window"},
		{"bad holiday", `{"zone": "UTC", "periods": [{"name": "a", "price": "1"}], "holidays": ["25.12.2024"]}`, "holiday"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.def))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Parse: %v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
	}
}

// segments renders a timeline in local time: "00:00 NT, 06:00 HT, …".
func segments(tf *Tariff, tl Timeline) string {
	var parts []string
	for _, s := range tl.Segments {
		parts = append(parts, time.UnixMilli(s.Start).In(tf.Location()).Format("01-02 15:04 MST ")+tf.Periods()[s.Period])
	}
	return strings.Join(parts, ", ")
}

func TestTimeline(t *testing.T) {
	tf, err := Parse([]byte(twoPeriods))
	if err != nil {
		t.Fatal(err)
	}
	// days returns local midnight of y-m-d and n days later.
	days := func(y int, m time.Month, d, n int) (int64, int64) {
		return time.Date(y, m, d, 0, 0, 0, 0, tf.Location()).UnixMilli(), time.Date(y, m, d+n, 0, 0, 0, 0, tf.Location()).UnixMilli()
	}
	type span struct{ from, to int64 }
	at := func(y int, m time.Month, d, n int) span { f, e := days(y, m, d, n); return span{f, e} }
	cases := []struct {
		name string
		span span
		want string
	}{
		{"weekday", at(2024, 3, 12, 1), "03-12 00:00 CET NT, 03-12 06:00 CET HT, 03-12 22:00 CET NT"},
		{"Sunday profile", at(2024, 3, 17, 1), "03-17 00:00 CET NT"},
		{"Saturday falls back to weekday", at(2024, 3, 16, 1), "03-16 00:00 CET NT, 03-16 06:00 CET HT, 03-16 22:00 CET NT"},
		{"holiday falls back to Sunday", at(2024, 12, 25, 1), "12-25 00:00 CET NT"},
		{"spring forward (Sunday)", at(2024, 3, 30, 2), "03-30 00:00 CET NT, 03-30 06:00 CET HT, 03-30 22:00 CET NT"},
		{"after spring forward the switch is at 06:00 CEST", at(2024, 4, 1, 1), "04-01 00:00 CEST NT, 04-01 06:00 CEST HT, 04-01 22:00 CEST NT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := segments(tf, tf.Timeline(c.span.from, c.span.to)); got != c.want {
				t.Errorf("timeline\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// A switch inside the hour that clocks skip takes effect when they
// resume; on the day they go back, the repeated hour is classified by
// its wall time both times.
func TestTimelineSwitchInDSTHour(t *testing.T) {
	tf, err := Parse([]byte(`{"zone": "Europe/Berlin", "periods": [{"name": "a", "price": "1"}, {"name": "b", "price": "2"}],
	 "seasons": [{"from": "01-01", "days": {"weekday": [{"at": "00:00", "period": "a"}, {"at": "02:30", "period": "b"}]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	loc := tf.Location()
	spring := tf.Timeline(time.Date(2024, 3, 31, 0, 0, 0, 0, loc).UnixMilli(), time.Date(2024, 4, 1, 0, 0, 0, 0, loc).UnixMilli())
	if got, want := segments(tf, spring), "03-31 00:00 CET a, 03-31 03:00 CEST b"; got != want {
		t.Errorf("spring forward: %s, want %s", got, want)
	}
	fall := tf.Timeline(time.Date(2024, 10, 27, 0, 0, 0, 0, loc).UnixMilli(), time.Date(2024, 10, 28, 0, 0, 0, 0, loc).UnixMilli())
	// 02:30 CEST → b; 03:00 CEST becomes 02:00 CET → a again until 02:30 CET.
	if got, want := segments(tf, fall), "10-27 00:00 CEST a, 10-27 02:30 CEST b, 10-27 02:00 CET a, 10-27 02:30 CET b"; got != want {
		t.Errorf("fall back: %s, want %s", got, want)
	}
	var total int64
	fall.Split(fall.Segments[0].Start, fall.End, 0, func(_ Period, ms int64) { total += ms })
	if total != 25*3600_000 {
		t.Errorf("fall-back day splits into %d ms, want 25 h", total)
	}
}

func TestCycle(t *testing.T) {
	tf, err := Parse([]byte(`{"zone": "Asia/Shanghai", "cycle_day": 15, "periods": [{"name": "a", "price": "1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	loc := tf.Location()
	cases := []struct {
		at       time.Time
		from, to string
		days     int
	}{
		{time.Date(2024, 3, 15, 0, 0, 0, 0, loc), "2024-03-15", "2024-04-15", 31},
		{time.Date(2024, 3, 14, 23, 59, 0, 0, loc), "2024-02-15", "2024-03-15", 29},
		{time.Date(2024, 12, 31, 12, 0, 0, 0, loc), "2024-12-15", "2025-01-15", 31},
		{time.Date(2024, 1, 2, 0, 0, 0, 0, loc), "2023-12-15", "2024-01-15", 31},
	}
	for _, c := range cases {
		from, to := tf.Cycle(c.at)
		if f, e := from.In(loc).Format(time.DateOnly), to.In(loc).Format(time.DateOnly); f != c.from || e != c.to || from.In(loc).Hour() != 0 {
			t.Errorf("Cycle(%v) = %v … %v, want %s … %s", c.at, from.In(loc), to.In(loc), c.from, c.to)
		}
		if d := tf.Days(from, to); d != c.days {
			t.Errorf("Days(%v, %v) = %d, want %d", from, to, d, c.days)
		}
	}
}

func TestSplitApportions(t *testing.T) {
	tl := Timeline{Segments: []Segment{{0, 0}, {100, 1}, {250, 0}}, End: 400}
	type piece struct {
		p  Period
		ms int64
	}
	var got []piece
	hint := tl.Split(50, 300, 0, func(p Period, ms int64) { got = append(got, piece{p, ms}) })
	want := []piece{{0, 50}, {1, 150}, {0, 50}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || hint != 2 {
		t.Errorf("Split(50, 300) = %v hint %d, want %v hint 2", got, hint, want)
	}
	got = got[:0]
	tl.Split(350, 500, 2, func(p Period, ms int64) { got = append(got, piece{p, ms}) })
	if len(got) != 1 || got[0] != (piece{0, 150}) {
		t.Errorf("Split beyond the end = %v, want the last period for all 150 ms", got)
	}
}
