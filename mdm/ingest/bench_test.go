package ingest

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/pebble"
)

// BenchmarkIngest measures the consumer end to end: batch messages as the
// push listener publishes them (4 096 meters' 15-minute pushes of A+, A−,
// R+, R− each) are taken from a real embedded bus, decoded and appended
// durably to a Pebble store, then acknowledged. Each iteration publishes
// four batches (the consumer's two workers each have work) and waits until
// they are stored; it reports readings/s and readings/cpu-s (whole
// process in the timed part: publishing, bus server, consumer, store).
func BenchmarkIngest(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	bs, err := bus.Open(ctx, bus.Config{StateDir: filepath.Join(dir, "bus")})
	if err != nil {
		b.Fatal(err)
	}
	defer bs.Close()
	st, err := pebble.Open(ctx, filepath.Join(dir, "readings"), pebble.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const meters = 4096
	channels := []store.Channel{store.ActiveImport, store.ActiveExport, store.ReactiveImport, store.ReactiveExport}
	batchAt := func(i int) []byte {
		var mb meterdata.Batch
		t := day0 + int64(i)*900_000
		for m := 1; m <= meters; m++ {
			msg := meterdata.Readings{Meter: store.MeterID(m), Collected: t, Source: meterdata.SourcePush}
			for c, ch := range channels {
				msg.Readings = append(msg.Readings, store.Reading{Meter: store.MeterID(m), Channel: ch, Time: t, Value: int64(m*1000+c) + int64(i)*37})
			}
			if err := mb.AppendReadings(&msg); err != nil {
				b.Fatal(err)
			}
		}
		return mb.Bytes()
	}
	c, err := New(Config{Store: st, Bus: bs, Batch: 8, Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() {
		cancel()
		<-done
	}()
	const perIteration = 4
	n := 0
	var cpu time.Duration
	msgs := make([]bus.Message, perIteration)
	for b.Loop() {
		b.StopTimer()
		for i := range msgs {
			msgs[i] = bus.Message{Subject: bus.ReadingsBatchSubject("bench"), ID: strconv.Itoa(n + i), Data: batchAt(n + i)}
		}
		b.StartTimer()
		start := bench.CPUTime()
		if err := bs.PublishBatch(ctx, msgs); err != nil {
			b.Fatal(err)
		}
		n += perIteration
		for c.Metrics().Messages < int64(n) {
			select {
			case err := <-done:
				b.Fatalf("consumer stopped: %v", err)
			case <-time.After(100 * time.Microsecond):
			}
		}
		cpu += bench.CPUTime() - start
	}
	readings := float64(n * meters * len(channels))
	b.ReportMetric(readings/b.Elapsed().Seconds(), "readings/s")
	if cpu > 0 {
		b.ReportMetric(readings/cpu.Seconds(), "readings/cpu-s")
	}
	if m := c.Metrics(); m.Added != int64(readings) {
		b.Fatalf("%d readings added, want %.0f", m.Added, readings)
	}
}
