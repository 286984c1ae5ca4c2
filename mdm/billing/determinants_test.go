package billing

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/mdm/tariff"
)

// utcTariff has peak 08:00–20:00 and valley otherwise in UTC, a ladder
// with a 1 kWh first tier and a 15-minute demand charge in the peak.
func utcTariff(t *testing.T) *tariff.Tariff {
	t.Helper()
	tf, err := tariff.Parse([]byte(`{"zone": "UTC",
	 "periods": [{"name": "peak", "price": "0.2"}, {"name": "valley", "price": "0.1"}],
	 "seasons": [{"from": "01-01", "days": {"weekday": [{"at": "00:00", "period": "valley"}, {"at": "08:00", "period": "peak"}, {"at": "20:00", "period": "valley"}]}}],
	 "ladder": [{"up_to_kwh": 1}, {"adder": "0.1"}],
	 "demand": {"per_kw": "1", "window_minutes": 15, "periods": ["peak"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

var day = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

func at(h, m int) int64 {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).UnixMilli()
}

func measure(t *testing.T, tf *tariff.Tariff, iv []Interval) Determinants {
	t.Helper()
	tl := tf.Timeline(day.UnixMilli(), day.AddDate(0, 0, 1).UnixMilli())
	return NewMeter(tf, &tl).Measure(day, day.AddDate(0, 0, 1), iv)
}

func usage(d Determinants) map[[2]int]int64 {
	out := map[[2]int]int64{}
	for _, u := range d.Usage {
		out[[2]int{u.Tier, int(u.Period)}] = u.Wh
	}
	return out
}

func TestDemandFromShortIntervals(t *testing.T) {
	// 5-minute intervals: 100, 200, 300 Wh make the 10:00 window 600 Wh,
	// 2 400 W; the 10:15 window holds 3 × 50 Wh.
	iv := []Interval{
		{at(10, 0), at(10, 5), 100, false}, {at(10, 5), at(10, 10), 200, false}, {at(10, 10), at(10, 15), 300, false},
		{at(10, 15), at(10, 20), 50, false}, {at(10, 20), at(10, 25), 50, false}, {at(10, 25), at(10, 30), 50, true},
	}
	d := measure(t, utcTariff(t), iv)
	if d.DemandW != 2400 || d.DemandStart != at(10, 0) || d.DemandEstimated {
		t.Errorf("demand %d W at %d (estimated %v), want 2400 W at 10:00, measured", d.DemandW, d.DemandStart, d.DemandEstimated)
	}
}

func TestDemandFromLongIntervals(t *testing.T) {
	// An hour of 1 000 Wh spreads 250 Wh over each quarter: 1 000 W. The
	// 3 000 Wh hour at 21:00 is in the valley and not charged.
	iv := []Interval{{at(9, 0), at(10, 0), 1000, false}, {at(10, 0), at(21, 0), 0, false}, {at(21, 0), at(22, 0), 3000, false}}
	d := measure(t, utcTariff(t), iv)
	if d.DemandW != 1000 || d.DemandStart != at(9, 0) {
		t.Errorf("demand %d W at %d, want 1000 W at 09:00", d.DemandW, d.DemandStart)
	}
}

func TestTierCrossingInAnIntervalAcrossPeriods(t *testing.T) {
	// 07:00–09:00 holds 1 200 Wh: 600 in the valley hour, then 600 in the
	// peak hour. After 600 Wh earlier the cycle stands at 600: the valley
	// half brings it to 1 200, crossing the 1 000 Wh bound (400 in tier 1,
	// 200 in tier 2), and the peak half is all tier 2.
	tf := utcTariff(t)
	iv := []Interval{{at(0, 0), at(7, 0), 600, false}, {at(7, 0), at(9, 0), 1200, true}}
	d := measure(t, tf, iv)
	want := map[[2]int]int64{{0, 1}: 1000, {1, 1}: 200, {1, 0}: 600}
	got := usage(d)
	if len(got) != len(want) || got[[2]int{0, 1}] != 1000 || got[[2]int{1, 1}] != 200 || got[[2]int{1, 0}] != 600 || d.EstimatedWh != 1200 {
		t.Errorf("usage %v (estimated %d), want %v (estimated 1200)", got, d.EstimatedWh, want)
	}
	// A Meter starts afresh for the next bill.
	m := NewMeter(tf, func() *tariff.Timeline {
		tl := tf.Timeline(day.UnixMilli(), day.AddDate(0, 0, 1).UnixMilli())
		return &tl
	}())
	m.Measure(day, day.AddDate(0, 0, 1), iv)
	if again := m.Measure(day, day.AddDate(0, 0, 1), iv); again.Wh != d.Wh || len(again.Usage) != len(d.Usage) || again.DemandW != d.DemandW {
		t.Errorf("second Measure with one Meter: %+v, want %+v", again, d)
	}
}
