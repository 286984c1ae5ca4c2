package pebble

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

// The crash test re-executes the test binary as a child that appends
// batches from several goroutines and prints "ack W B" once Append(W, B)
// has returned; the parent kills it with SIGKILL after a random number of
// acknowledgements, reopens the store and checks that every acknowledged
// reading is there exactly once, then starts the next child on the same
// directory. AMIGO_CRASH_KILLS sets the number of kills (5 by default).
const (
	crashDirEnv  = "AMIGO_CRASH_DIR"
	crashRunEnv  = "AMIGO_CRASH_RUN"
	crashWorkers = 4
	crashMeters  = 25
)

var crashChannels = []store.Channel{store.ActiveImport, store.ReactiveImport}

// crashBatch is batch b of worker w in run r: one reading per meter and
// channel at an instant no other batch uses, plus an exact copy of the
// worker's previous batch (which must not be stored twice), an estimate
// for the next instant that the next batch replaces with the actual value,
// and a different value for the previous batch's first reading, which
// must be kept as a conflict.
func crashBatch(r, w, b int) []store.Reading {
	var out []store.Reading
	for _, bb := range []int{b - 1, b} {
		if bb < 0 {
			continue
		}
		t := crashTime(r, w, bb)
		for m := 1; m <= crashMeters; m++ {
			for ci, c := range crashChannels {
				out = append(out, store.Reading{Meter: store.MeterID(m), Channel: c, Time: t, Value: crashValue(r, w, bb, m, ci)})
				if bb == b {
					out = append(out, store.Reading{Meter: store.MeterID(m), Channel: c, Time: crashTime(r, w, b+1), Value: -1, Quality: store.Estimated})
				}
			}
		}
	}
	if b > 0 {
		out = append(out, crashConflict(r, w, b-1))
	}
	return out
}

// crashConflict is the conflicting reading batch b+1 sends for batch b.
func crashConflict(r, w, b int) store.Reading {
	return store.Reading{Meter: 1, Channel: crashChannels[0], Time: crashTime(r, w, b), Value: crashValue(r, w, b, 1, 0) + 1}
}

// crashTime gives each (run, worker, batch) its own minute, spread over
// days so that blocks are written and read back.
func crashTime(r, w, b int) int64 {
	return 1704067200000 + int64((r*crashWorkers+w)*100_000+b)*60_000
}

func crashValue(r, w, b, m, c int) int64 { return int64(r*1e9 + w*1e7 + b*100 + m*2 + c) }

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child of TestCrash")
	}
	run, _ := strconv.Atoi(os.Getenv(crashRunEnv))
	d, err := Open(context.Background(), dir, Options{FlushReadings: 3000})
	if err != nil {
		fmt.Println("open error:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Go(func() {
			for b := 0; ; b++ {
				if _, err := d.Append(context.Background(), crashBatch(run, w, b)); err != nil {
					fmt.Println("append error:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Printf("ack %d %d\n", w, b)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	kills := 5
	if s := os.Getenv("AMIGO_CRASH_KILLS"); s != "" {
		var err error
		if kills, err = strconv.Atoi(s); err != nil {
			t.Fatalf("AMIGO_CRASH_KILLS=%q: %v", s, err)
		}
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	acked := make([][crashWorkers]int, kills) // per run: batches acknowledged per worker
	for run := range kills {
		acked[run] = crashRun(t, dir, run, 1+rng.IntN(120))
		d, err := Open(context.Background(), dir, Options{})
		if err != nil {
			t.Fatalf("run %d: reopening after kill -9: %v", run, err)
		}
		checkCrash(t, d, acked[:run+1])
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}
	}
}

// crashRun starts a child appending as run, kills it after it has
// acknowledged n batches in all, and returns how many batches each worker
// had acknowledged.
func crashRun(t *testing.T, dir string, run, n int) (acked [crashWorkers]int) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRunEnv+"="+strconv.Itoa(run))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	ack := func() bool {
		var w, b int
		if _, err := fmt.Sscanf(sc.Text(), "ack %d %d", &w, &b); err != nil || w < 0 || w >= crashWorkers {
			t.Errorf("run %d: child said %q", run, sc.Text())
			return false
		}
		if b != acked[w] {
			t.Errorf("run %d: worker %d acknowledged batch %d after %d", run, w, b, acked[w]-1)
		}
		acked[w] = b + 1
		return true
	}
	for seen := 0; seen < n && sc.Scan(); {
		if ack() {
			seen++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Acknowledgements the child wrote before it died count too.
	for sc.Scan() {
		ack()
	}
	cmd.Wait()
	return acked
}

// checkCrash requires every acknowledged batch's readings exactly once,
// with the estimate for an acknowledged batch's successor replaced when
// that successor was acknowledged too, and nothing beyond the one batch
// per worker that may have been in flight.
func checkCrash(t *testing.T, d *DB, acked [][crashWorkers]int) {
	t.Helper()
	ctx := context.Background()
	conflicts, err := d.Conflicts(ctx, store.ConflictQuery{})
	if err != nil {
		t.Fatal(err)
	}
	kept := make(map[store.Reading]bool, len(conflicts))
	for _, c := range conflicts {
		kept[c.Incoming] = true
	}
	for run, perWorker := range acked {
		for w, n := range perWorker {
			for b := 1; b < n; b++ { // acknowledged batch b carried the conflict for b−1
				if c := crashConflict(run, w, b-1); !kept[c] {
					t.Fatalf("run %d worker %d batch %d (acknowledged): conflict %v not kept", run, w, b, c)
				}
			}
		}
	}
	for m := 1; m <= crashMeters; m++ {
		for ci, c := range crashChannels {
			got, err := d.Scan(ctx, store.ScanQuery{Meter: store.MeterID(m), Channel: c, Range: store.Range{From: 0, To: store.MaxTime + 1}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			at := make(map[int64]store.Reading, len(got))
			for _, r := range got {
				if _, dup := at[r.Time]; dup {
					t.Fatalf("meter %d %s: two readings at %d", m, c, r.Time)
				}
				at[r.Time] = r
			}
			for run, perWorker := range acked {
				for w, n := range perWorker {
					for b := range n {
						r, ok := at[crashTime(run, w, b)]
						if !ok || r.Value != crashValue(run, w, b, m, ci) || r.Quality != 0 {
							t.Fatalf("run %d worker %d batch %d (acknowledged) meter %d %s: have %v (present %v)", run, w, b, m, c, r, ok)
						}
						delete(at, r.Time)
					}
					// The batch in flight may have landed, with its estimate
					// for the following minute; nothing else may.
					for _, b := range []int{n, n + 1} {
						delete(at, crashTime(run, w, b))
					}
				}
			}
			if len(at) > 0 {
				var extra []string
				for _, r := range at {
					extra = append(extra, r.String())
				}
				t.Fatalf("meter %d %s: readings no batch explains: %s", m, c, strings.Join(extra, "; "))
			}
		}
	}
}
