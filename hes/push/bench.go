package push

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/store"
)

// BenchConfig shapes the push scenario (`amigo bench push`).
type BenchConfig struct {
	Meters  int // distinct meters, each with its own system title (10 000)
	Rounds  int // pushes per meter per run, each with the next invocation counter (20)
	Pushers int // TCP connections the pushes arrive on (16), like data concentrators or a load balancer
	// Dir holds the bus and the listener's journal (a temporary directory
	// when empty).
	Dir string
	// Progress, when set, shows a progress bar of the pushes published.
	Progress io.Writer
}

func (c BenchConfig) withDefaults() BenchConfig {
	if c.Meters == 0 {
		c.Meters = 10_000
	}
	if c.Rounds == 0 {
		c.Rounds = 20
	}
	if c.Pushers == 0 {
		c.Pushers = 16
	}
	return c
}

// benchResolver is every bench meter: title "AMG" + 5-byte index, the
// demo keys.
type benchResolver struct{ meters int }

func benchTitle(i int) [8]byte {
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], uint64(i+1))
	copy(t[:3], "AMG")
	return t
}

func (r benchResolver) ResolveTitle(_ context.Context, t [8]byte) (Meter, bool, error) {
	i := int(binary.BigEndian.Uint64(append([]byte{0, 0, 0}, t[3:]...))) - 1
	if string(t[:3]) != "AMG" || i < 0 || i >= r.meters {
		return Meter{}, false, nil
	}
	return Meter{ID: store.MeterID(i + 1), Serial: fmt.Sprint(i + 1), EK: benchEK, AK: benchAK}, true, nil
}

var (
	benchEK = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	benchAK = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
)

// benchFrames seals every push of a run, round by round, spread over the
// pushers: pusher p carries the meters i ≡ p (mod Pushers).
func benchFrames(c BenchConfig) ([][]byte, error) {
	out := make([][]byte, c.Pushers)
	layout := DefaultLayout()
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	sealers := make([]*Sealer, c.Meters)
	for i := range sealers {
		var err error
		if sealers[i], err = NewSealer(benchTitle(i), benchEK, benchAK, security.NewMemoryCounters()); err != nil {
			return nil, err
		}
	}
	values := make([]int64, 4)
	for r := range c.Rounds {
		at := t0.Add(time.Duration(r) * 15 * time.Minute)
		for i, s := range sealers {
			values[0], values[1], values[2], values[3] = int64(1_000_000+i*10+r*250), int64(r), int64(5000+r*30), int64(7)
			p := i % c.Pushers
			var err error
			if out[p], err = s.AppendDataPush(out[p], layout, uint32(r+1), at, values); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// benchRig is the bus and the frames a run sends.
type benchRig struct {
	cfg    BenchConfig
	bus    *bus.Bus
	frames [][]byte
	pushes int
}

func newBenchRig(ctx context.Context, c BenchConfig) (*benchRig, error) {
	b, err := bus.Open(ctx, bus.Config{StateDir: c.Dir})
	if err != nil {
		return nil, err
	}
	frames, err := benchFrames(c)
	if err != nil {
		b.Close()
		return nil, err
	}
	return &benchRig{cfg: c, bus: b, frames: frames, pushes: c.Meters * c.Rounds}, nil
}

// run sends every frame to a fresh listener (its counters start empty)
// and returns once all pushes are durably published.
func (r *benchRig) run(ctx context.Context, run int, bar *progressbar.ProgressBar) error {
	l, err := New(Config{Listen: "127.0.0.1:0", Resolver: benchResolver{r.cfg.Meters}, Publisher: r.bus,
		Origin: fmt.Sprintf("bench%d", run), StateDir: fmt.Sprintf("%s/listener-%d", r.cfg.Dir, run)})
	if err != nil {
		return err
	}
	lctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Serve(lctx) }()
	var wg sync.WaitGroup
	errs := make(chan error, len(r.frames))
	for _, f := range r.frames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for len(f) > 0 { // 64 KiB writes, as a concentrator's stream
				n := min(len(f), 64<<10)
				if _, err := c.Write(f[:n]); err != nil {
					errs <- err
					return
				}
				f = f[n:]
			}
		}()
	}
	wg.Wait()
	close(errs)
	last := 0.0
	for err := range errs {
		stop()
		<-done
		return err
	}
	for {
		got := counterValue(l.metrics.Published)
		if bar != nil {
			bar.Add(int(got - last))
		}
		last = got
		rejected := 0.0
		for _, c := range l.metrics.rejected {
			rejected += counterValue(c)
		}
		if rejected > 0 {
			stop()
			<-done
			return fmt.Errorf("push: bench: %v pushes rejected", rejected)
		}
		if int(got) >= r.pushes {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	return <-done
}

// BenchmarkPush measures pushes/s decrypted, authenticated, decoded and
// durably published: in-process pushers stream pre-sealed pushes of
// 10 000 meters over 16 TCP connections to a real listener publishing
// batches to a real embedded bus. Also reports pushes/cpu-s (the whole
// process: listener, bus server and pushers' writes).
func BenchmarkPush(b *testing.B) { benchmarkPush(b, BenchConfig{}) }

func benchmarkPush(b *testing.B, c BenchConfig) {
	c = c.withDefaults()
	if c.Dir == "" {
		c.Dir = b.TempDir()
	}
	r, err := newBenchRig(b.Context(), c)
	if err != nil {
		b.Fatal(err)
	}
	defer r.bus.Close()
	bar := bench.Progress(c.Progress, "pushes published", "pushes")
	if bar != nil {
		defer bar.Finish()
	}
	b.ReportAllocs()
	cpu := bench.CPUTime()
	runs := 0
	for b.Loop() {
		if err := r.run(b.Context(), runs, bar); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	spent := bench.CPUTime() - cpu
	total := float64(runs * r.pushes)
	b.ReportMetric(total/b.Elapsed().Seconds(), "pushes/s")
	if spent > 0 {
		b.ReportMetric(total/spent.Seconds(), "pushes/cpu-s")
	}
}

// Scenario runs the push benchmark once with c (`amigo bench push`).
func Scenario(c BenchConfig) (map[string]float64, error) {
	var failed error
	res := testing.Benchmark(func(b *testing.B) {
		defer func() {
			if b.Failed() {
				failed = fmt.Errorf("push: benchmark failed")
			}
		}()
		benchmarkPush(b, c)
	})
	if failed != nil || res.N == 0 {
		return nil, fmt.Errorf("push: benchmark failed (go test -bench Push ./hes/push shows why)")
	}
	return bench.Metrics(res), nil
}
