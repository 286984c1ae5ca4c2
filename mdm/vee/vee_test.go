package vee

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

const (
	day0    int64 = 1704067200000 // 2024-01-01T00:00Z, a Monday
	quarter       = 15 * 60_000
	hourMs        = 4 * quarter
	dayMs         = 24 * hourMs
)

// series returns the register readings at 15-minute steps over [from, to]
// whose intervals have energy(t) Wh, t the interval's start.
func series(from, to, start int64, energy func(t int64) int64) []store.Reading {
	var rs []store.Reading
	v := start
	for t := from; t <= to; t += quarter {
		rs = append(rs, store.Reading{Meter: 1, Channel: store.ActiveImport, Time: t, Value: v})
		v += energy(t)
	}
	return rs
}

func flat(int64) int64 { return 100 }

// at is the time of day h:m on day 0.
func at(h, m int) int64 { return day0 + int64(h)*hourMs + int64(m)*60_000 }

func without(rs []store.Reading, times ...int64) []store.Reading {
	return slices.DeleteFunc(slices.Clone(rs), func(r store.Reading) bool { return slices.Contains(times, r.Time) })
}

// with changes the values of the readings at or after t by delta.
func shifted(rs []store.Reading, t, delta int64) []store.Reading {
	out := slices.Clone(rs)
	for i := range out {
		if out[i].Time >= t {
			out[i].Value += delta
		}
	}
	return out
}

func findings(rep Report) string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, fmt.Sprintf("%s@%s", f.Rule, stamp(f.Time)[11:16]))
	}
	return strings.Join(out, " ")
}

// flagged lists the marked readings whose flags include q.
func flagged(rep Report, q store.Quality) string {
	var out []string
	for _, r := range rep.Marks {
		if r.Quality&q == q {
			out = append(out, stamp(r.Time)[11:16])
		}
	}
	return strings.Join(out, " ")
}

func TestValidateRules(t *testing.T) {
	day := store.Range{From: day0, To: day0 + dayMs}
	base := series(day0, day0+dayMs, 1_000_000, flat)
	cases := []struct {
		name      string
		cfg       Config
		in        Input
		findings  string
		suspect   string
		extraFlag store.Quality
		flagged   string
	}{
		{name: "clean day", in: Input{Registers: base}},
		{name: "two readings lost", in: Input{Registers: without(base, at(10, 15), at(10, 30))},
			findings: "gap@10:45"},
		{name: "spike above ten times the median", in: Input{Registers: shifted(base, at(12, 15), 4900)},
			findings: "spike@12:15", suspect: "12:15"},
		{name: "spike above the meter's power", cfg: Config{MaxPowerW: 2000}, in: Input{Registers: shifted(base, at(12, 15), 500)},
			findings: "spike@12:15", suspect: "12:15"},
		{name: "register goes down", in: Input{Registers: shifted(base, at(13, 0), -150)},
			findings: "negative@13:00", suspect: "13:00"},
		{name: "register reset", in: Input{Registers: shifted(base, at(13, 0), -1_005_000)},
			findings: "reset@13:00", suspect: "13:00"},
		{name: "register rollover", cfg: Config{Modulus: 1_005_000},
			in:       Input{Registers: shifted(base, at(13, 0), -1_005_000)},
			findings: "rollover@13:00", extraFlag: store.Rollover | store.Valid, flagged: "13:00"},
		{name: "reading off the grid", in: Input{Registers: func() []store.Reading {
			rs := slices.Clone(base)
			rs[56].Time += 7 * 60_000 // 14:00 → 14:07
			return rs
		}()}, findings: "gap@14:07 clock-jump@14:07", suspect: "14:07"},
		{name: "clock set", in: Input{Registers: base, Events: []meterdata.Event{{Log: meterdata.StandardLog, Time: at(15, 5), Code: meterdata.ClockAdjustedOld}}},
			findings: "clock-jump@15:15", extraFlag: store.ClockAdjusted | store.Valid, flagged: "15:15"},
		{name: "power outage", in: Input{Registers: base, Events: []meterdata.Event{
			{Log: meterdata.StandardLog, Time: at(16, 5), Code: meterdata.PowerDown},
			{Log: meterdata.StandardLog, Time: at(16, 40), Code: meterdata.PowerUp}}},
			extraFlag: store.PowerDown | store.Valid, flagged: "16:15 16:30 16:45"},
		{name: "interval channel disagrees", in: Input{Registers: base, Intervals: func() []store.Reading {
			iv := series(day0+quarter, day0+dayMs, 100, flat)
			for i := range iv {
				iv[i].Channel, iv[i].Value = store.Channel{1, 0, 1, 29, 0, 255}, 100
				if iv[i].Time == at(17, 0) {
					iv[i].Value = 80
				}
			}
			return iv
		}()}, findings: "sum-mismatch@17:00", suspect: "17:00"},
		{name: "day with no readings", in: Input{Registers: base[:1]}, findings: "gap@00:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Range = day
			rep, err := Validate(c.cfg, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(rep); got != c.findings {
				t.Errorf("findings %q, want %q", got, c.findings)
			}
			if got := flagged(rep, store.Suspect); got != c.suspect {
				t.Errorf("suspect readings %q, want %q", got, c.suspect)
			}
			if c.extraFlag != 0 {
				if got := flagged(rep, c.extraFlag); got != c.flagged {
					t.Errorf("readings flagged %s: %q, want %q", c.extraFlag, got, c.flagged)
				}
			}
			for _, m := range rep.Marks {
				if m.Quality&(store.Valid|store.Suspect) == 0 || m.Quality&store.Valid != 0 && m.Quality&store.Suspect != 0 {
					t.Errorf("mark %s: want exactly one of valid and suspect", m)
				}
			}
		})
	}
}

// Validation is idempotent: once its flags are stored, it marks nothing.
func TestValidateMarksOnce(t *testing.T) {
	base := series(day0, day0+dayMs, 0, flat)
	rep, err := Validate(Config{}, Input{Range: store.Range{From: day0, To: day0 + dayMs}, Registers: base})
	if err != nil || len(rep.Marks) != len(base) {
		t.Fatalf("first validation: %d marks, %v; want %d", len(rep.Marks), err, len(base))
	}
	again, err := Validate(Config{}, Input{Range: store.Range{From: day0, To: day0 + dayMs}, Registers: rep.Marks})
	if err != nil || len(again.Marks) != 0 || len(again.Findings) != 0 {
		t.Errorf("second validation: %d marks, findings %q, %v; want none", len(again.Marks), findings(again), err)
	}
}

func TestEstimateLinear(t *testing.T) {
	// 300 Wh between 10:00 and 10:45 with two readings lost: a straight
	// line through the register puts 100 Wh in each quarter hour.
	base := series(day0, day0+dayMs, 1_000_000, func(t int64) int64 {
		if t >= at(10, 0) && t < at(10, 45) {
			return []int64{10, 20, 270}[(t-at(10, 0))/quarter]
		}
		return 100
	})
	in := Input{Range: store.Range{From: day0, To: day0 + dayMs}, Registers: without(base, at(10, 15), at(10, 30))}
	rep, err := Validate(Config{}, in)
	if err != nil {
		t.Fatal(err)
	}
	Estimate(Config{}, in, &rep)
	v1000 := base[40].Value
	want := []store.Reading{
		{Meter: 1, Channel: store.ActiveImport, Time: at(10, 15), Value: v1000 + 100, Quality: store.Estimated},
		{Meter: 1, Channel: store.ActiveImport, Time: at(10, 30), Value: v1000 + 200, Quality: store.Estimated},
	}
	if !slices.Equal(rep.Estimates, want) {
		t.Errorf("estimates %v, want %v", rep.Estimates, want)
	}
}

// fourWeeks is a household that uses 50 Wh a quarter hour in the morning
// and 150 in the afternoon and evening, on weekdays, and 80 all day at
// weekends: 28 days and then 29 January (a Monday) until 18:00.
func fourWeeks() []store.Reading {
	return series(day0, day0+28*dayMs+18*hourMs, 5_000_000, func(t int64) int64 {
		d := (t - day0) / dayMs % 7 // 0 is Monday
		switch {
		case d >= 5:
			return 80
		case (t-day0)%dayMs < 12*hourMs:
			return 50
		default:
			return 150
		}
	})
}

func TestEstimateFromProfile(t *testing.T) {
	truth := fourWeeks()
	mon := day0 + 28*dayMs
	var lost []int64
	for tm := mon + 6*hourMs + quarter; tm < mon+18*hourMs; tm += quarter {
		lost = append(lost, tm)
	}
	in := Input{Range: store.Range{From: mon, To: mon + 18*hourMs}, Registers: without(truth, lost...)}
	rep, err := Validate(Config{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Gaps) != 1 || rep.Gaps[0].Missing != 47 {
		t.Fatalf("gaps %+v, want one of 47 readings", rep.Gaps)
	}
	Estimate(Config{}, in, &rep)
	// The profile of earlier Mondays has the same shape as the truth, so
	// sharing the register's 6 h × 4 × 50 + 6 h × 4 × 150 = 4 800 Wh by it
	// gives back every lost reading exactly.
	if len(rep.Estimates) != len(lost) {
		t.Fatalf("%d estimates, want %d", len(rep.Estimates), len(lost))
	}
	for i, e := range rep.Estimates {
		want := truth[slices.IndexFunc(truth, func(r store.Reading) bool { return r.Time == lost[i] })]
		if e.Time != want.Time || e.Value != want.Value || e.Quality != store.Estimated {
			t.Fatalf("estimate %d: %s, want %d at %s", i, e, want.Value, stamp(want.Time))
		}
	}
}

func TestEstimateAtTheEnd(t *testing.T) {
	truth := fourWeeks()
	mon := day0 + 28*dayMs
	// The readings stop at 12:00; the range runs to 18:00: the profile
	// adds the Monday afternoon's 150 Wh a quarter hour.
	cut := slices.IndexFunc(truth, func(r store.Reading) bool { return r.Time == mon+12*hourMs })
	in := Input{Range: store.Range{From: mon, To: mon + 18*hourMs}, Registers: truth[:cut+1]}
	rep, err := Validate(Config{}, in)
	if err != nil {
		t.Fatal(err)
	}
	Estimate(Config{}, in, &rep)
	if len(rep.Estimates) != 24 {
		t.Fatalf("%d estimates, want 24", len(rep.Estimates))
	}
	for i, e := range rep.Estimates {
		if want := truth[cut+1+i]; e.Time != want.Time || e.Value != want.Value {
			t.Fatalf("estimate %d: %s, want %s", i, e, want)
		}
	}
}

func TestEstimateLeavesAnOpenStart(t *testing.T) {
	base := series(day0+hourMs, day0+dayMs, 0, flat)
	in := Input{Range: store.Range{From: day0, To: day0 + dayMs}, Registers: base}
	rep, _ := Validate(Config{}, in)
	Estimate(Config{}, in, &rep)
	if len(rep.Gaps) != 1 || !rep.Gaps[0].OpenStart || rep.Gaps[0].Missing != 4 || len(rep.Estimates) != 0 {
		t.Errorf("gaps %+v, %d estimates; want an open gap of 4 readings left alone", rep.Gaps, len(rep.Estimates))
	}
}
