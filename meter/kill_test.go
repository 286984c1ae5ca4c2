package meter

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/journal"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/tariff"
	"github.com/amigo-ami/amigo/metrology"
)

// The kill test runs a journaled meter in a child process (this test
// binary re-executed), kills it with SIGKILL after a random number of
// steps, and checks what a restart finds, many times over:
//
//   - at most the last second is lost: the restored true time is within
//     one second of the last step the child reported done;
//   - nothing is counted twice: at 3.6 kW exactly 1 Wh a second, the
//     +A register equals the simulated seconds since the start, and the
//     money charged equals the energy times the price;
//   - registers never go back from one restart to the next;
//   - invocation counters handed out are never handed out again, and the
//     top-up token is never accepted twice.
//
// AMIGO_KILL_ITERATIONS sets how many kills (default 4, 200 for a soak).

const (
	killChildEnv = "AMIGO_METER_KILL_CHILD"
	killSerial   = "KILL000001"
)

var killStart = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

func killConfig() Config {
	price, _ := tariff.PerKWh(0.25)
	return Config{
		Serial:  killSerial,
		Start:   killStart,
		Pricing: tariff.Pricing{TOU: [4]tariff.Money{price, price, price, price}},
		Prepay: &prepay.Config{Mode: prepay.PrepaymentMode, Currency: prepay.Currency{Name: "EUR", Scale: -2},
			TokenKey: []byte("kill test token key")},
		LoadProfile1: ProfileConfig{Capacity: 60},
	}
}

func killToken() []byte {
	return prepay.MakeToken(killConfig().Prepay.TokenKey, killSerial, 1, 1_000_000e9)
}

// TestKillChild is the child: it runs until killed, printing
// "done <true unix> <+A Wh> <counter>" after each journaled step.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestKillNine")
	}
	j, err := journal.Open(dir, journal.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{FreezePeriods: []time.Duration{}})
	m, err := New(killConfig(), acc.View(), killStart, Options{Journal: j, SnapshotEvery: 97})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	counters, err := security.OpenFileCounters(filepath.Join(dir, "counters.json"), 8)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	m.TopUp(killToken()) // refused as a replay after the first run
	now := m.TrueNow()
	out := bufio.NewWriter(os.Stdout)
	for range 200_000 {
		if err := acc.Integrate(watts(3600), time.Second); err != nil {
			panic(err)
		}
		now = now.Add(time.Second)
		m.Step(now)
		ic, err := counters.Next("push")
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(out, "done %d %d %d\n", now.Unix(), m.Energy().Total[energy.ActiveImport], ic)
		out.Flush()
	}
}

func TestKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	iterations := 4
	if s := os.Getenv("AMIGO_KILL_ITERATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("AMIGO_KILL_ITERATIONS=%q", s)
		}
		iterations = n
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	var lastWh uint64
	var maxIC uint32
	for it := range iterations {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		want := 1 + rng.IntN(300)
		var lastDone int64
		for n := 0; n < want && sc.Scan(); {
			f := strings.Fields(sc.Text())
			if len(f) == 0 || f[0] != "done" {
				if len(f) > 0 && f[0] == "error" {
					t.Fatalf("child: %s", sc.Text())
				}
				continue
			}
			lastDone, _ = strconv.ParseInt(f[1], 10, 64)
			ic, _ := strconv.ParseUint(f[3], 10, 32)
			maxIC = max(maxIC, uint32(ic))
			n++
		}
		cmd.Process.Kill() // SIGKILL, wherever the child is
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "done" {
				lastDone, _ = strconv.ParseInt(f[1], 10, 64)
				ic, _ := strconv.ParseUint(f[3], 10, 32)
				maxIC = max(maxIC, uint32(ic))
			}
		}
		cmd.Wait()

		j, err := journal.Open(dir, journal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{FreezePeriods: []time.Duration{}})
		m, err := New(killConfig(), acc.View(), killStart, Options{Journal: j})
		if err != nil {
			t.Fatalf("iteration %d: restart: %v", it, err)
		}
		restored := m.TrueNow().Unix()
		e := m.Energy()
		wh := e.Total[energy.ActiveImport]
		if lastDone-restored > 1 {
			t.Fatalf("iteration %d: restored at %d, the child had finished %d: lost %d s", it, restored, lastDone, lastDone-restored)
		}
		if secs := uint64(restored - killStart.Unix()); wh != secs {
			t.Fatalf("iteration %d: +A %d Wh after %d s at exactly 1 Wh/s", it, wh, secs)
		}
		if err := e.Check(); err != nil {
			t.Fatal(err)
		}
		if wh < lastWh {
			t.Fatalf("iteration %d: +A went back from %d to %d", it, lastWh, wh)
		}
		lastWh = wh
		a, _ := m.Account()
		if a.Consumption != tariff.Money(wh)*250_000 || a.Paid != 1_000_000e9 || a.Available() != a.Paid-a.Consumption-a.Standing {
			t.Fatalf("iteration %d: account %+v for %d Wh", it, a, wh)
		}
		if _, err := m.TopUp(killToken()); err == nil {
			t.Fatalf("iteration %d: token accepted twice", it)
		}
		j.Close()
		counters, err := security.OpenFileCounters(filepath.Join(dir, "counters.json"), 8)
		if err != nil {
			t.Fatal(err)
		}
		if ic, _ := counters.Next("push"); ic <= maxIC {
			t.Fatalf("iteration %d: counter %d handed out again (had %d)", it, ic, maxIC)
		}
	}
	t.Logf("%d kills; +A %d Wh", iterations, lastWh)
}
