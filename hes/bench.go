package hes

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/hestest"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/store/meta"
)

// ReadBenchConfig shapes the meter-read scenario (`amigo bench hes`).
type ReadBenchConfig struct {
	Meters      int // in-process meters on loopback TCP (100)
	Concurrency int // reads in flight (32)
	Batch       int // reads per benchmark iteration (1 000)
	// Test reads hestest's meters instead of the software meter
	// (meter/device, the default).
	Test bool
	// Dir holds the registry database (a temporary directory when empty).
	Dir string
	// Progress, when set, shows a progress bar of the reads.
	Progress io.Writer
}

func (c ReadBenchConfig) withDefaults() ReadBenchConfig {
	if c.Meters == 0 {
		c.Meters = 100
	}
	if c.Concurrency == 0 {
		c.Concurrency = 32
	}
	if c.Batch == 0 {
		c.Batch = 1000
	}
	return c
}

// discard publishes nowhere: the scenario measures reads, not the bus.
type discard struct{}

func (discard) PublishMsg(context.Context, bus.Message) error { return nil }

// benchDay is the day each read asks for: 96 entries of the 15-minute
// profile.
var benchDay = time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)

// BenchmarkReads measures meter reads per second: each read dials a meter
// (the software meter, meter/device: its management core, object tree and
// dlms.Server on loopback TCP), opens an
// HLS-GMAC association (AES-GCM, authenticated and encrypted), reads one
// day of the 15-minute load profile with range selective access (96
// entries, 3 columns, several GET blocks at the meter's 1 024-byte PDU),
// decodes it into readings, releases and closes. The meters run in this
// process, so reads/cpu-s counts both ends.
func BenchmarkReads(b *testing.B) { benchmarkReads(b, ReadBenchConfig{}) }

func benchmarkReads(b *testing.B, c ReadBenchConfig) {
	c = c.withDefaults()
	if c.Dir == "" {
		c.Dir = b.TempDir()
	}
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	h, meters, err := readBenchRig(ctx, c)
	if err != nil {
		b.Fatal(err)
	}
	defer h.conn.Close()
	bar := bench.Progress(c.Progress, "meter reads", "reads")
	if bar != nil {
		defer bar.Finish()
	}
	p := ProfileParams{Profile: LoadProfile15, From: benchDay, To: benchDay.Add(24*time.Hour - time.Minute)}
	var readings atomic.Int64
	b.ReportAllocs()
	cpu := bench.CPUTime()
	reads := 0
	for b.Loop() {
		var next atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Value
		for range c.Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= c.Batch {
						return
					}
					res, err := h.ReadProfile(ctx, meters[(reads+i)%len(meters)], p)
					// 96 entries of every register column.
					if err == nil && (res.Readings == 0 || res.Readings%96 != 0) {
						err = fmt.Errorf("read %d readings, want 96 per register column", res.Readings)
					}
					if err != nil {
						failed.Store(err)
						return
					}
					readings.Add(int64(res.Readings))
					if bar != nil {
						bar.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if err, ok := failed.Load().(error); ok {
			b.Fatal(err)
		}
		reads += c.Batch
	}
	spent := bench.CPUTime() - cpu
	b.ReportMetric(float64(reads)/b.Elapsed().Seconds(), "reads/s")
	if spent > 0 {
		b.ReportMetric(float64(reads)/spent.Seconds(), "reads/cpu-s")
	}
	b.ReportMetric(float64(readings.Load())/b.Elapsed().Seconds(), "readings/s")
}

// readBenchRig starts the meters on loopback and a head-end reading them.
func readBenchRig(ctx context.Context, c ReadBenchConfig) (*HeadEnd, []registry.Meter, error) {
	db, err := meta.OpenSQLite(ctx, filepath.Join(c.Dir, "meta.db"), meta.Config{})
	if err != nil {
		return nil, nil, err
	}
	context.AfterFunc(ctx, func() { db.Close() })
	if c.Test {
		err = testMeters(ctx, db, c.Meters)
	} else {
		err = softwareMeters(ctx, db, c.Meters)
	}
	if err != nil {
		return nil, nil, err
	}
	h, err := New(ctx, Config{Meta: db, Publisher: discard{}, Workers: 1})
	if err != nil {
		return nil, nil, err
	}
	h.conn.Close() // replaced: the scenario's limits
	cc := h.cfg.Conn
	cc.Registry, cc.ClientTitle, cc.Logger, cc.OnAssociation = h.reg, h.cfg.ClientTitle, h.log, h.m.onAssociation
	cc.MaxConns, cc.MaxPerNetwork = c.Concurrency, c.Concurrency
	if h.conn, err = conn.New(cc); err != nil {
		return nil, nil, err
	}
	return h, h.reg.All(), nil
}

// ReadScenario runs the read benchmark once with c (`amigo bench hes`).
func ReadScenario(c ReadBenchConfig) (map[string]float64, error) {
	res := testing.Benchmark(func(b *testing.B) { benchmarkReads(b, c) })
	if res.N == 0 {
		return nil, fmt.Errorf("hes: benchmark failed (go test -bench Reads ./hes shows why)")
	}
	return bench.Metrics(res), nil
}

// testMeters starts hestest meters holding the bench day and registers
// them.
func testMeters(ctx context.Context, db *meta.DB, n int) error {
	now := func() time.Time { return benchDay.Add(36 * time.Hour) }
	var ms []*hestest.Meter
	var addrs []string
	for i := range n {
		m, err := hestest.NewMeter(hestest.Config{Serial: fmt.Sprintf("%08d", i+1), Now: now, ProfileStart: benchDay.Add(-24 * time.Hour)})
		if err != nil {
			return err
		}
		go m.Serve(ctx)
		ms, addrs = append(ms, m), append(addrs, m.Addr())
	}
	return hestest.Register(ctx, db, "bench", ms, addrs)
}

// softwareMeters starts software meters (a constant 1 kW load) that have
// metered from the day before the bench day to its end, and registers
// them with the demo keys.
func softwareMeters(ctx context.Context, db *meta.DB, n int) error {
	end := benchDay.Add(24 * time.Hour)
	var entries []registry.Entry
	var sec config.Security
	for i := range n {
		serial := fmt.Sprintf("%010d", i+1)
		f, err := config.Parse("bench.toml", []byte(fmt.Sprintf("serial = %q\n", serial)))
		if err != nil {
			return err
		}
		sec = f.Security
		clk := benchDay.Add(-24 * time.Hour)
		d, err := device.New(device.Config{File: f, Listen: "127.0.0.1:0", Tick: -1, Clock: func() time.Time { return clk }, Load: "constant:1000"})
		if err != nil {
			return err
		}
		clk = end
		if err := d.Advance(d.Now()); err != nil {
			return err
		}
		go d.Serve(ctx)
		a, err := registry.ParseAddress(d.Addr().String())
		if err != nil {
			return err
		}
		a.SystemTitle = registry.DefaultSystemTitle(serial)
		entries = append(entries, registry.Entry{Where: "bench", Serial: serial, Address: a, KeysRef: "demo", Group: "bench"})
	}
	_, err := registry.Import(ctx, db, "bench", entries, map[string]registry.KeySet{"demo": {EK: sec.EncryptionKey, AK: sec.AuthenticationKey}})
	return err
}
