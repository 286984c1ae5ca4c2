package device_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/objects"
)

const deviceChildEnv = "AMIGO_DEVICE_KILL_CHILD"

// TestDeviceChild is the child of TestKillRestartOverDLMS: a device on
// 127.0.0.1:0 with a state directory, stepped a simulated second at a time
// as fast as it goes, until killed.
func TestDeviceChild(t *testing.T) {
	dir := os.Getenv(deviceChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestKillRestartOverDLMS")
	}
	clk := &fakeClock{t: monday6}
	d, err := device.New(device.Config{File: config.Demo(), Listen: "127.0.0.1:0", Tick: -1, Clock: clk.Now, Load: "constant:3600", StateDir: dir})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	go d.Serve(context.Background())
	fmt.Println("listening", d.Addr())
	for range 1_000_000 {
		clk.mu.Lock()
		clk.t = clk.t.Add(time.Second)
		clk.mu.Unlock()
		if err := d.Advance(d.Now()); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
	}
}

// TestKillRestartOverDLMS reads +A over DLMS from a running device, kills
// it with SIGKILL, restarts it on the same state directory and reads
// again: the register has lost at most the last journaled second (1 Wh at
// 3.6 kW) and never goes back after that.
func TestKillRestartOverDLMS(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	var last uint64
	for it := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeviceChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), deviceChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		addr := ""
		for addr == "" && sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "listening" {
				addr = f[1]
			} else if len(f) > 0 && f[0] == "error" {
				t.Fatal(sc.Text())
			}
		}
		go func() {
			for sc.Scan() {
			}
		}()
		r := &rig{t: t, addr: addr}
		c := r.client(objects.Reader)
		first := getUint(t, c, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, 0), 2)
		if first+1 < last {
			t.Fatalf("iteration %d: +A %d after the restart, %d read before the kill", it, first, last)
		}
		// Read until the register has grown, then kill at once.
		var now uint64
		for n := 0; n < 100_000; n++ {
			if now = getUint(t, c, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, 0), 2); now > first+100 {
				break
			}
		}
		if now <= first {
			t.Fatalf("iteration %d: +A stuck at %d", it, now)
		}
		cmd.Process.Kill()
		cmd.Wait()
		c.Close()
		last = now
	}
}
