package energy

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/metrology"
)

func TestTariffsAddUpToTotal(t *testing.T) {
	var r Registers
	rng := rand.New(rand.NewPCG(1, 2))
	var sum [NumQuantities]int64
	for i := range 100_000 {
		var d metrology.Registers
		d.ActiveImport = metrology.Energy(rng.Int64N(3_000_000)) // up to 3 Wh per step
		d.ActiveExport = metrology.Energy(rng.Int64N(700_000))
		for q := range d.Reactive {
			d.Reactive[q] = metrology.Energy(rng.Int64N(999_999))
		}
		d.ApparentImport = metrology.Energy(rng.Int64N(5_000_000))
		for q, v := range Micro(d) {
			sum[q] += v
		}
		r.Add(d, 1+i%7%MaxTariffs)
		if err := r.Check(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for q := range NumQuantities {
		// Registered whole units plus the carry are exactly what came in.
		if got := int64(r.Total[q])*micro + int64(r.Carry[q]); got != sum[q] {
			t.Errorf("%s: registered %d µ, fed %d µ", q, got, sum[q])
		}
	}
	if r.ReactiveImport() != r.Total[ReactiveQI]+r.Total[ReactiveQII] {
		t.Error("ReactiveImport")
	}
}

func TestAddCarriesAcrossTariffs(t *testing.T) {
	var r Registers
	// 0.6 Wh in tariff 1, then 0.6 Wh in tariff 2: the unit completes in
	// tariff 2 and belongs to it.
	inc := r.Add(metrology.Registers{ActiveImport: 600_000}, 1)
	if inc[ActiveImport] != 0 {
		t.Fatalf("first increment %v", inc)
	}
	inc = r.Add(metrology.Registers{ActiveImport: 600_000}, 2)
	if inc[ActiveImport] != 1 || r.Tariff[ActiveImport] != [MaxTariffs]uint64{0, 1, 0, 0} || r.Carry[ActiveImport] != 200_000 {
		t.Fatalf("after second: %+v", r)
	}
}

func TestAddPanicsOnBadTariff(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("tariff 5 accepted")
		}
	}()
	var r Registers
	r.Add(metrology.Registers{}, 5)
}

func TestDemandSlidingWindow(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d, err := NewDemand(15*time.Minute, 4, t0) // one-hour window, sliding every quarter
	if err != nil {
		t.Fatal(err)
	}
	// Quarter-hour energies in Wh: 250, 500, 1000, 250, 0.
	quarters := []uint64{250, 500, 1000, 250, 0}
	// Average over the hour window at each quarter's end, in W.
	wantLast := []uint64{250, 750, 1750, 2000, 1750}
	for i, wh := range quarters {
		d.Add(wh * 1_000_000)
		end := t0.Add(time.Duration(i+1) * 15 * time.Minute)
		if i == 2 {
			// Before the roll: current average counts the running quarter.
			if got := d.Current(); got != 1750 {
				t.Errorf("current average = %d, want 1750", got)
			}
		}
		d.Roll(end, 1+i%2)
		if d.Last != wantLast[i] || !d.LastAt.Equal(end) || !d.Start.Equal(end) {
			t.Errorf("quarter %d: last %d at %v", i, d.Last, d.LastAt)
		}
	}
	if d.Max[0] != (Peak{2000, t0.Add(time.Hour)}) {
		t.Errorf("max %+v", d.Max[0])
	}
	// The hour ending at 01:00 rolled with tariff 2 (i = 3), 00:45 with 1.
	if d.Max[2].W != 2000 || d.Max[1].W != 1750 {
		t.Errorf("tariff maxima %+v", d.Max)
	}
	d.ResetMax()
	if d.Max[0].W != 0 || !d.Max[0].At.IsZero() {
		t.Error("ResetMax")
	}
	if _, err := NewDemand(1500*time.Millisecond, 1, t0); err == nil {
		t.Error("fractional period accepted")
	}
	if _, err := NewDemand(time.Minute, 0, t0); err == nil {
		t.Error("zero periods accepted")
	}
}
