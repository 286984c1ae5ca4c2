package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
)

func loc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s: %v", name, err)
	}
	return l
}

// testAggregates checks buckets worked out by hand, across DST changes and
// month ends, per meter and over a group.
func testAggregates(t *testing.T, e Engine) {
	s, _ := open(t, e)
	berlin, kolkata := loc(t, "Europe/Berlin"), loc(t, "Asia/Kolkata")
	ch := store.ActiveImport
	r := func(m store.MeterID, at string, v int64, q store.Quality) store.Reading {
		return store.Reading{Meter: m, Channel: ch, Time: ms(t, at), Value: v, Quality: q}
	}
	b := func(m store.MeterID, start string, count, sum, lo, hi, first, last int64) store.Bucket {
		return store.Bucket{Meter: m, Start: ms(t, start), Count: count, Sum: sum, Min: lo, Max: hi, First: first, Last: last}
	}
	var batch []store.Reading
	// Meter 1: interval values 1…8 every 15 min from 2024-03-01 00:00 UTC,
	// and a Missing placeholder that aggregates skip.
	batch = append(batch, profile(1, ch, ms(t, "2024-03-01T00:00:00Z"), 15*time.Minute, 8, func(i int) int64 { return int64(i + 1) })...)
	batch = append(batch, r(1, "2024-03-01T02:00:00Z", 1_000_000, store.Missing))
	// Meter 2: hourly 1s through Berlin's 25-hour 27 October 2024 (CEST
	// ends at 01:00 UTC), with 100 the hour before and 1000 the hour after.
	batch = append(batch, r(2, "2024-10-26T21:00:00Z", 100, 0))
	batch = append(batch, profile(2, ch, ms(t, "2024-10-26T22:00:00Z"), time.Hour, 25, func(int) int64 { return 1 })...)
	batch = append(batch, r(2, "2024-10-27T23:00:00Z", 1000, 0))
	// Meter 3: hourly 2s through Berlin's 23-hour 31 March 2024.
	batch = append(batch, profile(3, ch, ms(t, "2024-03-30T23:00:00Z"), time.Hour, 23, func(int) int64 { return 2 })...)
	// Meter 4: either side of Berlin's midnights that start February and
	// March 2024 (a leap year).
	batch = append(batch, r(4, "2024-01-31T22:59:59.999Z", 1, 0), r(4, "2024-01-31T23:00:00Z", 2, 0),
		r(4, "2024-02-29T22:59:00Z", 4, 0), r(4, "2024-02-29T23:00:00Z", 8, 0))
	// Meters 5–7: registers twice a day on 1 and 2 May 2024; meter 7 has
	// only a Missing placeholder.
	for i, m := range []store.MeterID{5, 6} {
		base := []int64{100, 1000}[i]
		step := []int64{10, 5}[i]
		batch = append(batch, profile(m, ch, ms(t, "2024-05-01T00:00:00Z"), 12*time.Hour, 4, func(k int) int64 { return base + int64(k)*step })...)
	}
	batch = append(batch, r(7, "2024-05-01T06:00:00Z", 999_999, store.Missing))
	// Meter 8: either side of 06:00 in Kolkata (UTC+05:30).
	batch = append(batch, r(8, "2024-06-01T00:29:59.999Z", 3, 0), r(8, "2024-06-01T00:30:00Z", 5, 0))
	// Meter 9: a day of 15-min interval values 1…96, queried in part.
	batch = append(batch, profile(9, ch, ms(t, "2024-07-01T00:00:00Z"), 15*time.Minute, 96, func(i int) int64 { return int64(i + 1) })...)
	mustAppend(t, s, batch)

	everything := store.Range{From: store.MinTime, To: store.MaxTime + 1}
	tests := []struct {
		name string
		q    store.AggregateQuery
		want []store.Bucket
	}{
		{"15 min", store.AggregateQuery{Meters: []store.MeterID{1}, Step: store.Step15Min, PerMeter: true,
			Range: store.RangeOf(time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC), time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC))},
			[]store.Bucket{b(1, "2024-03-01T00:30:00Z", 1, 3, 3, 3, 3, 3), b(1, "2024-03-01T00:45:00Z", 1, 4, 4, 4, 4, 4)}},
		{"hour", store.AggregateQuery{Meters: []store.MeterID{1}, Step: store.StepHour, PerMeter: true, Range: everything},
			[]store.Bucket{b(1, "2024-03-01T00:00:00Z", 4, 10, 1, 4, 1, 4), b(1, "2024-03-01T01:00:00Z", 4, 26, 5, 8, 5, 8)}},
		{"day skips missing", store.AggregateQuery{Meters: []store.MeterID{1}, Step: store.StepDay, Range: everything},
			[]store.Bucket{b(0, "2024-03-01T00:00:00Z", 8, 36, 1, 8, 1, 8)}},
		{"25-hour day in Berlin", store.AggregateQuery{Meters: []store.MeterID{2}, Step: store.StepDay, Location: berlin, Range: everything},
			[]store.Bucket{b(0, "2024-10-25T22:00:00Z", 1, 100, 100, 100, 100, 100), b(0, "2024-10-26T22:00:00Z", 25, 25, 1, 1, 1, 1),
				b(0, "2024-10-27T23:00:00Z", 1, 1000, 1000, 1000, 1000, 1000)}},
		{"same hours in UTC days", store.AggregateQuery{Meters: []store.MeterID{2}, Step: store.StepDay, Range: everything},
			[]store.Bucket{b(0, "2024-10-26T00:00:00Z", 3, 102, 1, 100, 100, 1), b(0, "2024-10-27T00:00:00Z", 24, 1023, 1, 1000, 1, 1000)}},
		{"23-hour day in Berlin", store.AggregateQuery{Meters: []store.MeterID{3}, Step: store.StepDay, Location: berlin, Range: everything},
			[]store.Bucket{b(0, "2024-03-30T23:00:00Z", 23, 46, 2, 2, 2, 2)}},
		{"months in Berlin", store.AggregateQuery{Meters: []store.MeterID{4}, Step: store.StepMonth, Location: berlin, Range: everything},
			[]store.Bucket{b(0, "2023-12-31T23:00:00Z", 1, 1, 1, 1, 1, 1), b(0, "2024-01-31T23:00:00Z", 2, 6, 2, 4, 2, 4),
				b(0, "2024-02-29T23:00:00Z", 1, 8, 8, 8, 8, 8)}},
		{"months in UTC", store.AggregateQuery{Meters: []store.MeterID{4}, Step: store.StepMonth, Range: everything},
			[]store.Bucket{b(0, "2024-01-01T00:00:00Z", 2, 3, 1, 2, 1, 2), b(0, "2024-02-01T00:00:00Z", 2, 12, 4, 8, 4, 8)}},
		{"group of registers", store.AggregateQuery{Meters: []store.MeterID{7, 6, 5, 6}, Step: store.StepDay, Range: everything},
			[]store.Bucket{b(0, "2024-05-01T00:00:00Z", 4, 2215, 100, 1005, 1100, 1115), b(0, "2024-05-02T00:00:00Z", 4, 2275, 120, 1015, 1130, 1145)}},
		{"per meter of the group", store.AggregateQuery{Meters: []store.MeterID{7, 6, 5}, Step: store.StepDay, PerMeter: true, Range: everything},
			[]store.Bucket{b(5, "2024-05-01T00:00:00Z", 2, 210, 100, 110, 100, 110), b(5, "2024-05-02T00:00:00Z", 2, 250, 120, 130, 120, 130),
				b(6, "2024-05-01T00:00:00Z", 2, 2005, 1000, 1005, 1000, 1005), b(6, "2024-05-02T00:00:00Z", 2, 2025, 1010, 1015, 1010, 1015)}},
		{"month of the group", store.AggregateQuery{Meters: []store.MeterID{5, 6}, Step: store.StepMonth, Range: everything},
			[]store.Bucket{b(0, "2024-05-01T00:00:00Z", 8, 4490, 100, 1015, 1100, 1145)}},
		{"hours in Kolkata", store.AggregateQuery{Meters: []store.MeterID{8}, Step: store.StepHour, Location: kolkata, Range: everything},
			[]store.Bucket{b(0, "2024-05-31T23:30:00Z", 1, 3, 3, 3, 3, 3), b(0, "2024-06-01T00:30:00Z", 1, 5, 5, 5, 5, 5)}},
		{"hours in UTC", store.AggregateQuery{Meters: []store.MeterID{8}, Step: store.StepHour, Range: everything},
			[]store.Bucket{b(0, "2024-06-01T00:00:00Z", 2, 8, 3, 5, 3, 5)}},
		// Readings 25…72 (06:00 to 17:45): Σ = (25+72)·48/2.
		{"part of a day", store.AggregateQuery{Meters: []store.MeterID{9}, Step: store.StepDay,
			Range: store.RangeOf(time.Date(2024, 7, 1, 6, 0, 0, 0, time.UTC), time.Date(2024, 7, 1, 18, 0, 0, 0, time.UTC))},
			[]store.Bucket{b(0, "2024-07-01T00:00:00Z", 48, 2328, 25, 72, 25, 72)}},
		{"whole day", store.AggregateQuery{Meters: []store.MeterID{9}, Step: store.StepMonth, Range: everything},
			[]store.Bucket{b(0, "2024-07-01T00:00:00Z", 96, 4656, 1, 96, 1, 96)}},
		{"no readings", store.AggregateQuery{Meters: []store.MeterID{7, 100}, Step: store.StepDay, Range: everything}, nil},
	}
	maintained(t, e, s, func(t *testing.T) {
		for _, tt := range tests {
			tt.q.Channel = ch
			got, err := s.Aggregate(context.Background(), tt.q)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if !equalBuckets(got, tt.want) {
				t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
			}
		}
		// Berlin's fall-back day has 25 distinct hour buckets.
		got, err := s.Aggregate(context.Background(), store.AggregateQuery{Meters: []store.MeterID{2}, Channel: ch, Step: store.StepHour, Location: berlin,
			Range: store.Range{From: ms(t, "2024-10-26T22:00:00Z"), To: ms(t, "2024-10-27T23:00:00Z")}})
		if err != nil || len(got) != 25 {
			t.Errorf("hours of 27 October 2024 in Berlin: %d buckets (%v), want 25", len(got), err)
		}
	})
}
