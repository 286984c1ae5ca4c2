package analytics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
)

const quarter = 15 * 60_000

func openStores(t *testing.T) (*pebble.DB, *meta.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := pebble.Open(ctx, filepath.Join(dir, "readings"), pebble.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	md, err := meta.OpenSQLite(ctx, filepath.Join(dir, "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { md.Close() })
	return st, md
}

// register appends meter m's register readings every step over [from, to]
// with energy(t) Wh in the interval starting at t; edit may change a
// reading or drop it (returning false).
func register(t *testing.T, st *pebble.DB, m store.MeterID, from, to time.Time, step time.Duration, energy func(t int64) int64, edit ...func(*store.Reading) bool) {
	t.Helper()
	var rs []store.Reading
	var v int64 = 1_000_000
	for tm := from.UnixMilli(); tm <= to.UnixMilli(); tm += step.Milliseconds() {
		r := store.Reading{Meter: m, Channel: store.ActiveImport, Time: tm, Value: v}
		if len(edit) == 0 || edit[0](&r) {
			rs = append(rs, r)
		}
		v += energy(tm)
	}
	if _, err := st.Append(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
}

func constant(wh int64) func(int64) int64 { return func(int64) int64 { return wh } }

func TestRecommendedClass(t *testing.T) {
	for wh, want := range map[int64]string{0: "2", 99_999: "2", 100_000: "1", 199_999: "1", 200_000: "0.5", 499_999: "0.5", 500_000: "0.2", 5_000_000: "0.2"} {
		if got := RecommendedClass(wh); got != want {
			t.Errorf("RecommendedClass(%d Wh) = %s, want %s", wh, got, want)
		}
	}
}

func TestCheckClasses(t *testing.T) {
	ctx := context.Background()
	st, _ := openStores(t)
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	// Daily register readings; Jan 31 + Feb 29 + Mar 31 = 91 days.
	daily := map[store.MeterID]int64{1: 20_000, 2: 10_000, 3: 1_000, 4: 5_000}
	for m, wh := range daily {
		register(t, st, m, jan, end, 24*time.Hour, constant(wh))
	}
	meters := []meta.Meter{
		{ID: 1, Serial: "A", AccuracyClass: "0.2S"}, // 20 kWh/day ≈ 607 kWh/month → 0.2: matches
		{ID: 2, Serial: "B", AccuracyClass: "1"},    // 303 kWh → 0.5: installed 1 is under
		{ID: 3, Serial: "C", AccuracyClass: "0.5"},  // 30 kWh → 2: installed 0.5 is over
		{ID: 4, Serial: "D"},                        // 152 kWh → 1: class unknown
		{ID: 5, Serial: "E", AccuracyClass: "2"},    // no readings
	}
	checks, err := CheckClasses(ctx, st, meters, store.ActiveImport, jan, end.Add(-time.Hour), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		monthly               int64
		months                int
		recommended, mismatch string
	}{
		{(20_000 * 91) / 3, 3, "0.2", ""},
		{(10_000 * 91) / 3, 3, "0.5", Under},
		{(1_000 * 91) / 3, 3, "2", Over},
		{(5_000 * 91) / 3, 3, "1", UnknownClass},
		{Unknown, 0, "", ""},
	}
	for i, c := range checks {
		w := want[i]
		if c.MonthlyWh != w.monthly || c.Months != w.months || c.Recommended != w.recommended || c.Mismatch != w.mismatch {
			t.Errorf("meter %s: %+v, want monthly %d over %d months, recommended %q, mismatch %q", c.Serial, c, w.monthly, w.months, w.recommended, w.mismatch)
		}
	}
	var serials []string
	for _, c := range Mismatched(checks) {
		serials = append(serials, c.Serial)
	}
	if got := strings.Join(serials, " "); got != "B C D" {
		t.Errorf("mismatched %q, want B C D", got)
	}
}

func TestVerificationDueAndLots(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	meters := []meta.Meter{
		{ID: 1, Serial: "A", InstalledAt: day(2015, 6, 1), AccuracyClass: "2"},
		{ID: 2, Serial: "B", InstalledAt: day(2017, 3, 1), AccuracyClass: "2"},
		{ID: 3, Serial: "C", InstalledAt: day(2020, 1, 1), AccuracyClass: "1"},
		{ID: 4, Serial: "D"},
		{ID: 5, Serial: "E", InstalledAt: day(2015, 9, 9), AccuracyClass: "2"},
	}
	due, undated := VerificationDue(meters, VerificationCycle, day(2024, 6, 1), day(2026, 1, 1))
	if len(due) != 3 || due[0].Serial != "A" || !due[0].Overdue || !due[0].DueAt.Equal(day(2023, 6, 1)) ||
		due[1].Serial != "E" || !due[1].Overdue || due[2].Serial != "B" || due[2].Overdue || !due[2].DueAt.Equal(day(2025, 3, 1)) {
		t.Errorf("due %+v", due)
	}
	if len(undated) != 1 || undated[0].Serial != "D" {
		t.Errorf("undated %+v", undated)
	}
	lots := Lots(meters)
	if len(lots) != 3 || lots[0].Year != 2015 || len(lots[0].Meters) != 2 || lots[1].Year != 2017 || lots[2].Class != "1" {
		t.Errorf("lots %+v", lots)
	}
	in, err := Inspect(lots[0], "1.0", 7)
	if err != nil || in.Plan.SampleSize != 2 || !in.Plan.Full || len(in.Sample) != 2 {
		t.Errorf("inspecting a lot of 2: %+v, %v; want the whole lot", in, err)
	}
}

func TestSettlement(t *testing.T) {
	ctx := context.Background()
	st, _ := openStores(t)
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	register(t, st, 1, from, to, time.Minute, constant(10)) // 1-minute profile: 150 Wh a quarter
	// Meter 2's 00:45 reading is estimated; meter 3 lost its 00:30 reading.
	register(t, st, 2, from, to, 15*time.Minute, constant(40), func(r *store.Reading) bool {
		if r.Time == from.Add(45*time.Minute).UnixMilli() {
			r.Quality = store.Estimated
		}
		return true
	})
	register(t, st, 3, from, to, 15*time.Minute, constant(25), func(r *store.Reading) bool {
		return r.Time != from.Add(30*time.Minute).UnixMilli()
	})
	pts, err := Settlement(ctx, st, []store.MeterID{1, 2, 3}, store.ActiveImport, store.RangeOf(from, to))
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{
		{Start: from.UnixMilli(), Wh: 150 + 40 + 25, Meters: 3},
		{Start: from.Add(15 * time.Minute).UnixMilli(), Wh: 150 + 40, Meters: 2},
		{Start: from.Add(30 * time.Minute).UnixMilli(), Wh: 150 + 40, Meters: 2, Estimated: 1},
		{Start: from.Add(45 * time.Minute).UnixMilli(), Wh: 150 + 40 + 25, Meters: 3, Estimated: 1},
	}
	for i := range want {
		if pts[i] != want[i] {
			t.Errorf("period %d: %+v, want %+v", i, pts[i], want[i])
		}
	}
	if _, err := Settlement(ctx, st, []store.MeterID{1}, store.ActiveImport, store.Range{From: from.UnixMilli() + 1, To: to.UnixMilli()}); err == nil {
		t.Errorf("a range off the grid: no error")
	}
}

func TestLoadCurveAlarm(t *testing.T) {
	ctx := context.Background()
	st, md := openStores(t)
	watched, err := md.CreateMeter(ctx, meta.Meter{Serial: "BIG"})
	if err != nil {
		t.Fatal(err)
	}
	small, err := md.CreateMeter(ctx, meta.Meter{Serial: "SMALL"})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)
	day := time.Date(2024, 3, 11, 0, 0, 0, 0, time.UTC) // a Monday
	spike := func(wh int64) func(int64) int64 {
		return func(t int64) int64 {
			// 10:00–11:30 on the day: four times the usual load.
			if t >= day.Add(10*time.Hour).UnixMilli() && t < day.Add(11*time.Hour+30*time.Minute).UnixMilli() {
				return 4 * wh
			}
			return wh
		}
	}
	register(t, st, watched, from, to, 15*time.Minute, spike(100)) // 9.6 kWh/day: 278 kWh in February
	register(t, st, small, from, to, 15*time.Minute, spike(50))    // 139 kWh: not watched
	lc := NewLoadCurve(st, LoadCurveConfig{Alarms: md})
	dev, err := lc.Check(ctx, watched, day)
	if err != nil {
		t.Fatal(err)
	}
	// Six quarter hours of 400 Wh against a baseline of 100 Wh.
	if dev.Deviating != 6 || dev.Run != 6 || !dev.Alarm || !dev.RunStart.Equal(day.Add(10*time.Hour)) ||
		dev.ActualWh != 96*100+6*300 || dev.BaselineWh != 96*100 {
		t.Errorf("deviation %+v", dev)
	}
	for range 2 {
		devs, err := lc.Run(ctx, []store.MeterID{watched, small}, day)
		if err != nil || len(devs) != 1 || devs[0].Meter != watched {
			t.Fatalf("run: %+v, %v; want the watched meter only", devs, err)
		}
	}
	alarms, err := md.Alarms(ctx, meta.AlarmFilter{})
	if err != nil || len(alarms) != 1 || alarms[0].Meter != watched || alarms[0].Kind != "load-deviation" || !alarms[0].RaisedAt.Equal(day) {
		t.Errorf("alarms %+v, %v; want one load-deviation alarm for the day", alarms, err)
	}
	quiet, err := lc.Check(ctx, watched, day.AddDate(0, 0, -7))
	if err != nil || quiet.Deviating != 0 || quiet.Alarm {
		t.Errorf("a normal Monday: %+v, %v", quiet, err)
	}
}
