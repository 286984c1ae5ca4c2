package tariff

import (
	"testing"
	"time"
)

// FuzzParse: any bytes parse to a tariff or an error, never a panic; a
// tariff that parses gives a timeline over a month whose segments start in
// order and cover it, and a cycle that holds its instant.
func FuzzParse(f *testing.F) {
	f.Add([]byte(twoPeriods))
	f.Add([]byte(`{"zone": "America/Vancouver", "cycle_day": 28, "periods": [{"name": "a", "price": "0.1"}, {"name": "b", "price": 2}],
	 "seasons": [{"from": "03-10", "days": {"weekday": [{"at": "00:00", "period": "a"}, {"at": "01:30", "period": "b"}], "holiday": [{"at": "00:00", "period": "b"}]}},
	             {"from": "11-03", "days": {"weekday": [{"at": "00:00", "period": "b"}]}}],
	 "holidays": ["2024-11-03"], "ladder": [{"up_to_kwh": 1}, {"adder": "-0.05", "prices": {"a": "0"}}],
	 "standing": {"per_day": "1", "per_cycle": "2"}, "demand": {"per_kw": "3", "window_minutes": 30, "periods": ["b"]}}`))
	f.Add([]byte(`{"zone": "Asia/Kathmandu", "minor_digits": 0, "periods": [{"name": "x", "price": "999999.999999"}]}`))
	f.Fuzz(func(t *testing.T, def []byte) {
		tf, err := Parse(def)
		if err != nil {
			return
		}
		at := time.Date(2024, 11, 2, 12, 0, 0, 0, time.UTC)
		from, to := tf.Cycle(at)
		if from.After(at) || !to.After(at) {
			t.Fatalf("cycle %v … %v does not hold %v", from, to, at)
		}
		tl := tf.Timeline(from.UnixMilli(), to.UnixMilli())
		if len(tl.Segments) == 0 || tl.Segments[0].Start != from.UnixMilli() {
			t.Fatalf("timeline does not start at the cycle: %+v", tl.Segments)
		}
		var covered int64
		tl.Split(from.UnixMilli(), to.UnixMilli(), 0, func(p Period, ms int64) {
			if int(p) >= len(tf.Periods()) {
				t.Fatalf("period %d of %d", p, len(tf.Periods()))
			}
			covered += ms
		})
		if covered != to.UnixMilli()-from.UnixMilli() {
			t.Fatalf("timeline covers %d ms of %d", covered, to.UnixMilli()-from.UnixMilli())
		}
		for i := 1; i < len(tl.Segments); i++ {
			if tl.Segments[i].Start <= tl.Segments[i-1].Start {
				t.Fatalf("segments out of order: %+v", tl.Segments)
			}
		}
	})
}
