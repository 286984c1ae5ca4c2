package billing

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
)

// The golden bills in testdata/golden were worked out by hand: each file
// shows the arithmetic in comments before the expected output. Commands:
//
//	tariff                       JSON definition as input
//	load from=T to=T wh=N        15-minute intervals starting in [from, to) of N Wh each
//	set at=T wh=N                the interval starting at T has N Wh
//	estimate from=T to=T         readings at times in (from, to] are flagged Estimated
//	gap from=T to=T              readings at times in (from, to) are lost
//	registers at=T               time-of-use register readings at T, one a line:
//	                             OBIS value [estimated]
//	bill at=T                    the bill of the cycle holding T (from the
//	                             registers when the tariff names them)
//
// T is a local time "2006-01-02T15:04" in the tariff's zone.
func TestGoldenBills(t *testing.T) {
	datadriven.Walk(t, "testdata/golden", func(t *testing.T, path string) {
		g := &golden{}
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			return g.run(t, td)
		})
	})
}

type golden struct {
	registers []store.Reading
	tariff    *tariff.Tariff
	intervals []Interval // 15-minute, contiguous
	estimated []store.Range
	gaps      []store.Range
}

const quarter = 15 * 60_000

func (g *golden) at(t *testing.T, td *datadriven.TestData, key string) int64 {
	t.Helper()
	var s string
	td.ScanArgs(t, key, &s)
	lt, err := time.ParseInLocation("2006-01-02T15:04", s, g.tariff.Location())
	if err != nil {
		t.Fatalf("%s: %s=%q: %v", td.Pos, key, s, err)
	}
	return lt.UnixMilli()
}

func (g *golden) run(t *testing.T, td *datadriven.TestData) string {
	switch td.Cmd {
	case "tariff":
		tf, err := tariff.Parse([]byte(td.Input))
		if err != nil {
			return "error: " + err.Error()
		}
		g.tariff = tf
		return fmt.Sprintf("zone %s, periods %s, %d tiers", tf.Location(), strings.Join(tf.Periods(), " "), tf.Tiers())
	case "load":
		from, to := g.at(t, td, "from"), g.at(t, td, "to")
		var wh int64
		td.ScanArgs(t, "wh", &wh)
		if n := len(g.intervals); n > 0 && g.intervals[n-1].End != from {
			t.Fatalf("%s: load from %d does not continue the load ending %d", td.Pos, from, g.intervals[n-1].End)
		}
		var sum int64
		for s := from; s < to; s += quarter {
			g.intervals = append(g.intervals, Interval{Start: s, End: s + quarter, Wh: wh})
			sum += wh
		}
		return fmt.Sprintf("%d intervals, %d Wh", (to-from)/quarter, sum)
	case "set":
		at := g.at(t, td, "at")
		var wh int64
		td.ScanArgs(t, "wh", &wh)
		for i := range g.intervals {
			if g.intervals[i].Start == at {
				old := g.intervals[i].Wh
				g.intervals[i].Wh = wh
				return fmt.Sprintf("%d Wh (was %d)", wh, old)
			}
		}
		t.Fatalf("%s: no interval starts at %d", td.Pos, at)
	case "estimate":
		g.estimated = append(g.estimated, store.Range{From: g.at(t, td, "from"), To: g.at(t, td, "to")})
		return "ok"
	case "gap":
		g.gaps = append(g.gaps, store.Range{From: g.at(t, td, "from"), To: g.at(t, td, "to")})
		return "ok"
	case "registers":
		at := g.at(t, td, "at")
		for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
			var obis string
			var v int64
			var flag string
			fmt.Sscan(line, &obis, &v, &flag)
			ch, err := store.ParseChannel(obis)
			if err != nil {
				t.Fatalf("%s: %v", td.Pos, err)
			}
			r := store.Reading{Meter: 1, Channel: ch, Time: at, Value: v}
			if flag == "estimated" {
				r.Quality = store.Estimated
			}
			g.registers = append(g.registers, r)
		}
		return fmt.Sprintf("%d registers", len(strings.Split(strings.TrimSpace(td.Input), "\n")))
	case "bill":
		from, to := g.tariff.Cycle(time.UnixMilli(g.at(t, td, "at")))
		var d Determinants
		if len(g.tariff.Registers()) > 0 {
			var err error
			if d, err = MeasureRegisters(g.tariff, from, to, g.registers, g.registers); err != nil {
				return "error: " + err.Error()
			}
		} else {
			iv, err := Intervals(store.AppendSamples(nil, g.readings()), from.UnixMilli(), to.UnixMilli(), quarter, nil)
			if err != nil {
				return "error: " + err.Error()
			}
			tl := g.tariff.Timeline(from.UnixMilli(), to.UnixMilli())
			d = NewMeter(g.tariff, &tl).Measure(from, to, iv)
		}
		return g.format(d, Price(g.tariff, d, nil))
	default:
		t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
	}
	return ""
}

// readings turns the intervals into the register readings a meter would
// have recorded, with the estimates and gaps applied.
func (g *golden) readings() []store.Reading {
	var rs []store.Reading
	var reg int64
	add := func(tm int64) {
		r := store.Reading{Meter: 1, Channel: store.ActiveImport, Time: tm, Value: reg}
		for _, e := range g.estimated {
			if tm > e.From && tm <= e.To {
				r.Quality = store.Estimated
			}
		}
		for _, gp := range g.gaps {
			if tm > gp.From && tm < gp.To {
				return
			}
		}
		rs = append(rs, r)
	}
	for i, in := range g.intervals {
		if i == 0 {
			add(in.Start)
		}
		reg += in.Wh
		add(in.End)
	}
	return rs
}

func (g *golden) format(d Determinants, lines []Line) string {
	loc := g.tariff.Location()
	var b strings.Builder
	const layout = "2006-01-02 15:04 MST"
	fmt.Fprintf(&b, "cycle %s … %s, %d days\n", d.From.In(loc).Format(layout), d.To.In(loc).Format(layout), d.Days)
	for _, u := range d.Usage {
		fmt.Fprintf(&b, "usage tier %d %s %d Wh, estimated %d\n", u.Tier+1, g.tariff.Periods()[u.Period], u.Wh, u.EstimatedWh)
	}
	fmt.Fprintf(&b, "energy %d Wh, estimated %d\n", d.Wh, d.EstimatedWh)
	if _, _, ok := g.tariff.Demand(); ok {
		fmt.Fprintf(&b, "demand %d W in the window from %s\n", d.DemandW, time.UnixMilli(d.DemandStart).In(loc).Format(layout))
	}
	digits := g.tariff.MinorDigits()
	for _, l := range lines {
		fmt.Fprintf(&b, "line %s: %d %s × %s/%s = %s", l.Description, l.Quantity, l.Unit, l.Price.Decimal(), l.PriceUnit, l.Amount.Format(digits))
		if l.EstimatedQuantity != 0 {
			fmt.Fprintf(&b, " (estimated %d %s)", l.EstimatedQuantity, l.Unit)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "total %s\n", Total(lines).Format(digits))
	return b.String()
}
