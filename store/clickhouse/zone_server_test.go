//go:build clickhouse

package clickhouse

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/storetest"
)

// TestAggregateZones compares buckets with the Model's around clock
// changes that are not whole hours or that skip midnight, where the
// server's groups and store.Bucketer's buckets part ways.
func TestAggregateZones(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, false)
	model := storetest.NewModel()
	cases := []struct {
		zone string
		at   string // a clock change
	}{
		{"Australia/Lord_Howe", "2024-04-06T15:00:00Z"}, // +11:00 → +10:30
		{"Australia/Lord_Howe", "2024-10-05T15:30:00Z"}, // +10:30 → +11:00
		{"America/Sao_Paulo", "2018-11-04T03:00:00Z"},   // midnight skipped
		{"America/Sao_Paulo", "2019-02-17T02:00:00Z"},   // midnight twice
		{"America/Havana", "2024-03-10T05:00:00Z"},      // midnight skipped
		{"Asia/Kathmandu", "1985-12-31T18:30:00Z"},      // +05:30 → +05:45
		{"Pacific/Chatham", "2024-04-06T14:00:00Z"},     // +13:45 → +12:45
		{"Asia/Kolkata", "2024-06-01T00:00:00Z"},        // none
	}
	var batch []store.Reading
	for i, c := range cases {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		// Meter 2i+1: 15-min interval values; meter 2i+2: hourly, plus
		// odd milliseconds; both over three days around the change.
		for k := range 3 * 96 {
			ts := at.Add(-36*time.Hour + time.Duration(k)*15*time.Minute).UnixMilli()
			batch = append(batch, store.Reading{Meter: store.MeterID(2*i + 1), Channel: store.ActiveImport, Time: ts, Value: int64(k + 1)})
			if k%4 == 0 {
				batch = append(batch, store.Reading{Meter: store.MeterID(2*i + 2), Channel: store.ActiveImport, Time: ts + int64(k%7), Value: int64(k * k)})
			}
		}
	}
	for _, s := range []store.Store{d, model} {
		if _, err := s.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cases {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Skipf("time zone %s: %v", c.zone, err)
		}
		at, _ := time.Parse(time.RFC3339, c.at)
		ranges := []store.Range{
			{From: store.MinTime, To: store.MaxTime + 1},
			{From: at.Add(-26 * time.Hour).UnixMilli(), To: at.Add(7*time.Hour + time.Millisecond).UnixMilli()},
		}
		for _, r := range ranges {
			for step := store.Step15Min; step <= store.StepMonth; step++ {
				for _, perMeter := range []bool{true, false} {
					q := store.AggregateQuery{Meters: []store.MeterID{store.MeterID(2*i + 1), store.MeterID(2*i + 2)}, Channel: store.ActiveImport,
						Range: r, Step: step, Location: loc, PerMeter: perMeter}
					got, err := d.Aggregate(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					want, _ := model.Aggregate(ctx, q)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s around %s, %s per meter %v, [%d, %d):\n got %s\nwant %s", c.zone, c.at, step, perMeter, r.From, r.To, show(got), show(want))
					}
				}
			}
		}
	}
	t.Logf("meters folded from readings: %d", d.refolds.Load())
}

func show(bs []store.Bucket) string {
	var s []string
	for _, b := range bs {
		s = append(s, fmt.Sprintf("%d@%s:%d/%d", b.Meter, time.UnixMilli(b.Start).UTC().Format("01-02T15:04"), b.Count, b.Sum))
	}
	return strings.Join(s, " ")
}
