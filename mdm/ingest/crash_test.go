//go:build linux

package ingest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/pebble"
)

// The crash test runs the ingest consumer in a child process (the test
// binary again) against the parent's embedded bus, kills it with SIGKILL
// after a random number of store writes, and checks that every message
// the bus holds as acknowledged has all its readings in the store. A last
// child drains the stream; then every published reading must be stored,
// once. AMIGO_INGEST_KILLS sets the number of kills (3 by default).
const (
	crashDirEnv = "AMIGO_INGEST_CRASH_DIR"
	crashBusEnv = "AMIGO_INGEST_CRASH_BUS"
	// Each child is killed after at most 40 batches of 8 messages, so 400
	// messages a kill leave work for every child.
	crashMsgsPerKill = 400
)

func crashOptions() []bus.ConsumeOption {
	return []bus.ConsumeOption{bus.AckWait(time.Second), bus.MaxDeliver(1000), bus.Prefetch(8), bus.Backoff(10*time.Millisecond, 100*time.Millisecond)}
}

// acknowledging prints the stream sequences of a batch once h has
// stored it, as the bus is about to acknowledge them.
func acknowledging(h bus.BatchHandler) bus.BatchHandler {
	var mu sync.Mutex
	return func(ctx context.Context, ds []*bus.Delivery) error {
		if err := h(ctx, ds); err != nil {
			return err
		}
		line := []byte("acked")
		for _, d := range ds {
			line = strconv.AppendUint(append(line, ' '), d.Sequence, 10)
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Println(string(line))
		return nil
	}
}

func TestCrashChild(t *testing.T) {
	dir, url := os.Getenv(crashDirEnv), os.Getenv(crashBusEnv)
	if dir == "" {
		t.Skip("the child of TestCrash")
	}
	ctx := context.Background()
	st, err := pebble.Open(ctx, dir, pebble.Options{FlushReadings: 20_000})
	if err != nil {
		fmt.Println("open store:", err)
		os.Exit(2)
	}
	b, err := bus.Open(ctx, bus.Config{URLs: []string{url}, Replicas: 1})
	if err != nil {
		fmt.Println("open bus:", err)
		os.Exit(2)
	}
	c, err := New(Config{Store: st, Bus: b})
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := b.ConsumeBatch(ctx, bus.StreamReadings, "mdm-ingest", 8, acknowledging(c.Handler()), crashOptions()...); err != nil {
				fmt.Println("consume:", err)
				os.Exit(2)
			}
		})
	}
	wg.Wait()
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	kills := 3
	if s := os.Getenv("AMIGO_INGEST_KILLS"); s != "" {
		var err error
		if kills, err = strconv.Atoi(s); err != nil {
			t.Fatalf("AMIGO_INGEST_KILLS=%q: %v", s, err)
		}
	}
	f := newFixture(t, "127.0.0.1:0")
	ctx := t.Context()
	crashMsgs := uint64(crashMsgsPerKill * (kills + 1))
	msgs := make([]bus.Message, crashMsgs)
	for i := range msgs {
		m := dayOf(store.MeterID(i%50+1), i/50)
		msgs[i] = bus.Message{Subject: bus.ReadingsSubject(strconv.Itoa(i%50 + 1)), ID: strconv.Itoa(i), Data: encode(t, &m)}
	}
	if err := f.bus.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(f.bus.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, bus.StreamReadings)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "readings")
	rng := rand.New(rand.NewPCG(11, 11))
	for run := range kills {
		child := startChild(t, dir, f.bus.ClientURL())
		acked := child.killAfter(t, 1+rng.IntN(40))
		floor := ackFloor(t, js)
		for seq := uint64(1); seq <= floor; seq++ {
			acked[seq] = true
		}
		checkStored(t, dir, stream, acked)
		t.Logf("run %d: killed with messages 1…%d and %d in all acknowledged", run, floor, len(acked))
	}
	child := startChild(t, dir, f.bus.ClientURL())
	guard, cancel := context.WithTimeout(ctx, hangGuard)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		info, err := consumerInfo(guard, js)
		if err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.AckFloor.Stream == crashMsgs {
			break
		}
		select {
		case <-tick.C:
		case <-guard.Done():
			t.Fatalf("draining: %v", guard.Err())
		}
	}
	child.kill(t, map[uint64]bool{})
	all := make(map[uint64]bool, crashMsgs)
	for seq := uint64(1); seq <= crashMsgs; seq++ {
		all[seq] = true
	}
	checkStored(t, dir, stream, all)
}

type childProc struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
}

func startChild(t *testing.T, dir, url string) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashBusEnv+"="+url)
	// A child must not outlive a test binary that dies (a test timeout):
	// it would keep consuming from nothing.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childProc{cmd: cmd, lines: bufio.NewScanner(out)}
	// A child that stops reporting would block the test on its output.
	guard := time.AfterFunc(hangGuard, func() { cmd.Process.Kill() })
	t.Cleanup(func() { guard.Stop() })
	return c
}

// killAfter kills the child with SIGKILL once it has stored n batches (or
// stopped) and returns the sequences of the messages it acknowledged,
// including any it reported while dying.
func (c *childProc) killAfter(t *testing.T, n int) map[uint64]bool {
	t.Helper()
	acked := map[uint64]bool{}
	for seen := 0; seen < n && c.lines.Scan(); seen++ {
		c.acked(t, acked)
	}
	c.kill(t, acked)
	return acked
}

func (c *childProc) acked(t *testing.T, into map[uint64]bool) {
	fields := strings.Fields(c.lines.Text())
	if len(fields) == 0 || fields[0] != "acked" {
		t.Errorf("child: %s", c.lines.Text())
		return
	}
	for _, f := range fields[1:] {
		seq, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			t.Fatalf("child: %s", c.lines.Text())
		}
		into[seq] = true
	}
}

func (c *childProc) kill(t *testing.T, acked map[uint64]bool) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for c.lines.Scan() {
		c.acked(t, acked)
	}
	c.cmd.Wait()
}

func consumerInfo(ctx context.Context, js jetstream.JetStream) (*jetstream.ConsumerInfo, error) {
	cons, err := js.Consumer(ctx, bus.StreamReadings, "mdm-ingest")
	if err != nil {
		return nil, err
	}
	return cons.Info(ctx)
}

// ackFloor is the stream sequence up to which the consumer has every
// message acknowledged.
func ackFloor(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	info, err := consumerInfo(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	return info.AckFloor.Stream
}

// checkStored requires the readings of the stream messages seqs in the
// store, each exactly once.
func checkStored(t *testing.T, dir string, stream jetstream.Stream, seqs map[uint64]bool) {
	t.Helper()
	ctx := t.Context()
	st, err := pebble.Open(ctx, dir, pebble.Options{})
	if err != nil {
		t.Fatalf("reopening the store after kill -9: %v", err)
	}
	defer st.Close()
	var m meterdata.Readings
	for seq := range seqs {
		raw, err := stream.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if err := meterdata.DecodeReadings(raw.Data, &m); err != nil {
			t.Fatal(err)
		}
		first, last := m.Readings[0], m.Readings[len(m.Readings)-1]
		got, err := st.Scan(ctx, store.ScanQuery{Meter: m.Meter, Channel: first.Channel, Range: store.Range{From: first.Time, To: last.Time + 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, m.Readings) {
			t.Fatalf("message %d (acknowledged) of meter %d: stored %d readings, want %d: %v", seq, m.Meter, len(got), len(m.Readings), got)
		}
	}
}
