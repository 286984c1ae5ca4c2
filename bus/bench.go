package bus

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/bench"
)

// Publish benchmark shape: readings-sized payloads spread over a fleet of
// meters, every message with its own ID, so the duplicate window does its
// usual work.
const (
	benchPayload = 128
	benchMeters  = 1000
	benchBatch   = 1000
)

// BenchmarkPublishSingle measures Publish, one message at a time, each
// waiting for its acknowledgement, into READINGS on an embedded server
// (in-process connection, file storage). Reports msgs/s.
func BenchmarkPublishSingle(b *testing.B) {
	bus, msgs := benchSetup(b, 1)
	ctx := b.Context()
	n := 0
	cpu := bench.CPUTime()
	for b.Loop() {
		m := &msgs[0]
		m.ID = strconv.Itoa(n)
		if err := bus.Publish(ctx, m.Subject, m.ID, m.Data); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportRates(b, n, bench.CPUTime()-cpu)
}

// BenchmarkPublishBatch measures PublishBatch with batches of 1000 messages
// (at most Config.MaxInFlight unacknowledged) into READINGS on an embedded
// server. Reports msgs/s.
func BenchmarkPublishBatch(b *testing.B) {
	bus, msgs := benchSetup(b, benchBatch)
	ctx := b.Context()
	n := 0
	cpu := bench.CPUTime()
	for b.Loop() {
		for i := range msgs {
			msgs[i].ID = strconv.Itoa(n)
			n++
		}
		if err := bus.PublishBatch(ctx, msgs); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, n, bench.CPUTime()-cpu)
}

// reportRates reports n messages over the loop's wall-clock time (msgs/s)
// and over the CPU time the process spent (msgs/cpu-s).
func reportRates(b *testing.B, n int, cpu time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "msgs/cpu-s")
	}
}

// benchSetup opens an embedded bus in a temporary directory and returns
// size messages to fixed meters with a fixed payload.
func benchSetup(b *testing.B, size int) (*Bus, []Message) {
	b.Helper()
	b.ReportAllocs()
	bus, err := Open(b.Context(), Config{StateDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bus.Close() })
	payload := make([]byte, benchPayload)
	for i := range payload {
		payload[i] = byte(i)
	}
	msgs := make([]Message, size)
	for i := range msgs {
		msgs[i] = Message{Subject: ReadingsSubject("AMG" + strconv.Itoa(i%benchMeters)), Data: payload}
	}
	b.SetBytes(int64(benchPayload * size))
	return bus, msgs
}

// PublishMetrics runs both publish benchmarks, as `amigo bench bus` does:
// msgs/s batched (the way a head-end publishes) and msgs/s-single.
func PublishMetrics() (map[string]float64, error) {
	batch := testing.Benchmark(BenchmarkPublishBatch)
	single := testing.Benchmark(BenchmarkPublishSingle)
	if batch.N == 0 || single.N == 0 {
		return nil, errors.New("bus: publish benchmark failed (run go test -bench Publish ./bus for the error)")
	}
	return map[string]float64{
		"msgs/s":            batch.Extra["msgs/s"],
		"msgs/cpu-s":        batch.Extra["msgs/cpu-s"],
		"msgs/s-single":     single.Extra["msgs/s"],
		"msgs/cpu-s-single": single.Extra["msgs/cpu-s"],
		"allocs/msg":        float64(batch.AllocsPerOp()) / benchBatch,
	}, nil
}
