package billing

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
)

const shanghaiLadder = `{"zone": "Asia/Shanghai",
 "periods": [{"name": "peak", "price": "0.5583"}, {"name": "valley", "price": "0.3583"}],
 "seasons": [{"from": "01-01", "days": {"weekday": [
   {"at": "00:00", "period": "valley"}, {"at": "08:00", "period": "peak"}, {"at": "22:00", "period": "valley"}]}}],
 "ladder": [{"up_to_kwh": 230}, {"up_to_kwh": 400, "adder": "0.05"}, {"adder": "0.30"}]}`

// stores opens a Pebble readings store and an SQLite metadata store in a
// temporary directory, with one meter on the Shanghai ladder tariff.
func stores(t *testing.T) (*pebble.DB, *meta.DB, store.MeterID) {
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
	tid, err := md.CreateTariff(ctx, meta.Tariff{Name: "residential", Currency: "CNY", Definition: []byte(shanghaiLadder)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := md.CreateMeter(ctx, meta.Meter{Serial: "SH0001", TariffID: tid})
	if err != nil {
		t.Fatal(err)
	}
	return st, md, id
}

// periodWh sums the usage of each period over the tiers.
func periodWh(d Determinants) map[tariff.Period]int64 {
	out := map[tariff.Period]int64{}
	for _, u := range d.Usage {
		out[u.Period] += u.Wh
	}
	return out
}

// TestRebillWhenActualsReplaceEstimates runs the life of a bill: the
// cycle is billed while 10 February is estimated (a straight line), the
// meter's real profile for that day arrives (everything in the peak),
// the store replaces the estimates, and billing again creates a second
// version that supersedes the first, which is kept; a third run changes
// nothing.
func TestRebillWhenActualsReplaceEstimates(t *testing.T) {
	ctx := context.Background()
	st, md, meter := stores(t)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2024, 2, 1, 0, 0, 0, 0, shanghai).UnixMilli()
	day10 := time.Date(2024, 2, 10, 0, 0, 0, 0, shanghai).UnixMilli()
	day11 := day10 + 86_400_000
	// reg is the straight-line register, real the meter's: on 10 February
	// it records 30 Wh a quarter in the valley and 150 in the peak
	// (40 × 30 + 56 × 150 = 9 600 Wh, as the straight line).
	var estimated, actual []store.Reading
	reg, real := int64(5_000_000), int64(5_000_000)
	for tm := start; tm <= start+29*86_400_000; tm += quarter {
		r := store.Reading{Meter: meter, Channel: store.ActiveImport, Time: tm, Value: reg}
		if tm > day10 && tm < day11 {
			est := r
			est.Quality = store.Estimated
			estimated = append(estimated, est)
			r.Value = real
			actual = append(actual, r)
		} else {
			estimated = append(estimated, r)
		}
		reg += 100
		switch h := time.UnixMilli(tm).In(shanghai).Hour(); {
		case tm < day10 || tm >= day11:
			real += 100
		case h >= 8 && h < 22:
			real += 150
		default:
			real += 30
		}
	}
	if _, err := st.Append(ctx, estimated); err != nil {
		t.Fatal(err)
	}
	b, err := NewBiller(Config{Readings: st, Records: md})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 2, 15, 0, 0, 0, 0, shanghai)

	first, err := b.Run(ctx, meter, at)
	if err != nil {
		t.Fatal(err)
	}
	if first.Outcome != Created || first.Version != 1 || !first.Bill.Estimated() || first.Bill.Determinants.EstimatedWh != 9600 {
		t.Fatalf("first run: %s version %d, estimated %d Wh", first.Outcome, first.Version, first.Bill.Determinants.EstimatedWh)
	}
	if got := periodWh(first.Bill.Determinants); got[0] != 29*5600 || got[1] != 29*4000 {
		t.Errorf("first bill: peak %d valley %d Wh, want %d and %d", got[0], got[1], 29*5600, 29*4000)
	}

	res, err := st.Append(ctx, actual)
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced != len(actual) || res.Conflicted != 0 {
		t.Fatalf("appending the actual day: %+v, want every estimate replaced", res)
	}
	second, err := b.Run(ctx, meter, at)
	if err != nil {
		t.Fatal(err)
	}
	if second.Outcome != Rebilled || second.Version != 2 || second.Stored.Supersedes != first.Stored.ID || second.Bill.Estimated() {
		t.Fatalf("second run: %s version %d supersedes %d (first %d), estimated %v",
			second.Outcome, second.Version, second.Stored.Supersedes, first.Stored.ID, second.Bill.Estimated())
	}
	if got := periodWh(second.Bill.Determinants); got[0] != 29*5600-5600+8400 || got[1] != 29*4000-4000+1200 {
		t.Errorf("re-bill: peak %d valley %d Wh, want %d and %d", got[0], got[1], 29*5600-5600+8400, 29*4000-4000+1200)
	}
	if second.Bill.Total <= first.Bill.Total {
		t.Errorf("moving 2 800 Wh from valley to peak lowered the bill: %s → %s", first.Bill.Total, second.Bill.Total)
	}
	old, err := md.Bill(ctx, first.Stored.ID)
	if err != nil || old.Status != meta.BillSuperseded || old.Total != int64(first.Bill.Total) {
		t.Errorf("first version after the re-bill: %+v, %v; want kept, superseded", old, err)
	}

	third, err := b.Run(ctx, meter, at)
	if err != nil || third.Outcome != Unchanged || third.Version != 2 || third.Stored.ID != second.Stored.ID {
		t.Errorf("third run: %+v, %v; want unchanged version 2", third.Outcome, err)
	}
	all, err := md.Bills(ctx, meter, at.AddDate(0, -1, 0), at)
	if err != nil || len(all) != 2 {
		t.Errorf("bills stored: %d, %v; want 2 versions", len(all), err)
	}
}

func TestRunRefuses(t *testing.T) {
	ctx := context.Background()
	st, md, meter := stores(t)
	b, _ := NewBiller(Config{Readings: st, Records: md})
	noTariff, err := md.CreateMeter(ctx, meta.Meter{Serial: "X"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Run(ctx, noTariff, time.Now()); !errors.Is(err, ErrNoTariff) {
		t.Errorf("meter without tariff: %v, want ErrNoTariff", err)
	}
	if _, err := b.Run(ctx, meter, time.Date(2024, 2, 15, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrIncomplete) {
		t.Errorf("meter without readings: %v, want ErrIncomplete", err)
	}
}

// TestRunMany bills a batch: meters that bill are stored together, a
// meter that cannot be billed says why without stopping the others, a
// second run changes nothing, and a correction re-bills only its meter.
func TestRunMany(t *testing.T) {
	ctx := context.Background()
	st, md, m1 := stores(t)
	mt, err := md.Meter(ctx, m1)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := md.CreateMeter(ctx, meta.Meter{Serial: "SH0002", TariffID: mt.TariffID})
	if err != nil {
		t.Fatal(err)
	}
	noTariff, err := md.CreateMeter(ctx, meta.Meter{Serial: "X"})
	if err != nil {
		t.Fatal(err)
	}
	tf, err := tariff.Parse([]byte(shanghaiLadder))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 15, 0, 0, 0, 0, tf.Location())
	from, to := tf.Cycle(at)
	var rs []store.Reading
	for _, m := range []store.MeterID{m1, m2} {
		rs = newHousehold(m).appendMonth(rs, from.UnixMilli(), to.UnixMilli(), 15*60_000)
	}
	if _, err := st.Append(ctx, rs); err != nil {
		t.Fatal(err)
	}
	b, err := NewBiller(Config{Readings: st, Records: md})
	if err != nil {
		t.Fatal(err)
	}
	meters := []store.MeterID{m1, noTariff, m2}
	first, err := b.RunMany(ctx, meters, at)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(first[1].Err, ErrNoTariff) {
		t.Errorf("meter without tariff: %v, want ErrNoTariff", first[1].Err)
	}
	for _, i := range []int{0, 2} {
		r := first[i]
		stored, err := md.Bill(ctx, r.Stored.ID)
		if r.Err != nil || r.Outcome != Created || r.Version != 1 || err != nil || stored.Meter != meters[i] || stored.Total != int64(r.Bill.Total) || r.Bill.Total <= 0 {
			t.Errorf("meter %d: %+v (%v), stored %+v (%v); want a first bill", meters[i], r.Outcome, r.Err, stored, err)
		}
	}

	again, err := b.RunMany(ctx, meters, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2} {
		if r := again[i]; r.Outcome != Unchanged || r.Stored.ID != first[i].Stored.ID {
			t.Errorf("meter %d again: %v bill %d, want unchanged bill %d", meters[i], r.Outcome, r.Stored.ID, first[i].Stored.ID)
		}
	}

	// An operator corrects meter 2's closing reading: 50 kWh more.
	last := rs[len(rs)-1]
	last.Value, last.Quality = last.Value+50_000, store.Edited
	if _, err := st.Append(ctx, []store.Reading{last}); err != nil {
		t.Fatal(err)
	}
	third, err := b.RunMany(ctx, meters, at)
	if err != nil {
		t.Fatal(err)
	}
	if r := third[0]; r.Outcome != Unchanged {
		t.Errorf("meter 1 after meter 2's correction: %v, want unchanged", r.Outcome)
	}
	if r := third[2]; r.Outcome != Rebilled || r.Version != 2 || r.Stored.Supersedes != first[2].Stored.ID || r.Bill.Determinants.Wh != first[2].Bill.Determinants.Wh+50_000 {
		t.Errorf("meter 2 after its correction: %v version %d superseding %d, %d Wh; want a re-bill of bill %d with %d Wh",
			r.Outcome, r.Version, r.Stored.Supersedes, r.Bill.Determinants.Wh, first[2].Stored.ID, first[2].Bill.Determinants.Wh+50_000)
	}
	if old, err := md.Bill(ctx, first[2].Stored.ID); err != nil || old.Status != meta.BillSuperseded {
		t.Errorf("meter 2's first bill: %v (%v), want superseded", old.Status, err)
	}

	if _, err := b.RunMany(ctx, []store.MeterID{m1, m2, m1}, at); err == nil {
		t.Error("a meter listed twice: no error")
	}
}
