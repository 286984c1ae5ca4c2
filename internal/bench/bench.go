package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Result is the document `amigo bench NAME --json` prints.
type Result struct {
	Name    string             `json:"name"`
	Date    string             `json:"date"`
	Machine Machine            `json:"machine"`
	Metrics map[string]float64 `json:"metrics"`
}

// Machine describes where a result was measured.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"go"`
}

// ThisMachine describes the machine the process runs on.
func ThisMachine() Machine {
	return Machine{
		CPU:       cpuModel(),
		Cores:     runtime.NumCPU(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		GoVersion: runtime.Version(),
	}
}

// NewResult returns a Result for name measured now on this machine.
func NewResult(name string, metrics map[string]float64) Result {
	return Result{
		Name:    name,
		Date:    time.Now().UTC().Format(time.DateOnly),
		Machine: ThisMachine(),
		Metrics: metrics,
	}
}

// Metrics converts a testing.BenchmarkResult into named metrics: ns/op,
// B/op and allocs/op (when allocations were reported) and every metric the
// benchmark reported with b.ReportMetric, under its own unit.
func Metrics(r testing.BenchmarkResult) map[string]float64 {
	m := make(map[string]float64, 3+len(r.Extra))
	if r.N > 0 {
		m["ns/op"] = float64(r.T.Nanoseconds()) / float64(r.N)
		m["B/op"] = float64(r.AllocedBytesPerOp())
		m["allocs/op"] = float64(r.AllocsPerOp())
	}
	for unit, v := range r.Extra {
		m[unit] = v
	}
	return m
}

// cpuModel reads the model name from /proc/cpuinfo where there is one.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// Part is one benchmark function of a scenario; its metrics are reported
// with Prefix before each unit (so "encode-" turns ns/op into encode-ns/op).
type Part struct {
	Prefix string
	Func   func(*testing.B)
}

// Run runs the parts one after the other with testing.Benchmark and merges
// their metrics. A part that fails (b.Fatal, or no iteration) fails the run.
func Run(parts ...Part) (map[string]float64, error) {
	m := make(map[string]float64)
	for _, p := range parts {
		r := testing.Benchmark(p.Func)
		if r.N == 0 {
			return nil, fmt.Errorf("benchmark %sfailed before its first iteration", p.Prefix)
		}
		for unit, v := range Metrics(r) {
			m[p.Prefix+unit] = v
		}
	}
	return m, nil
}

// Progress returns a progress bar counting unit on w for a run of unknown
// length, or nil when w is nil.
func Progress(w io.Writer, description, unit string) *progressbar.ProgressBar {
	if w == nil {
		return nil
	}
	return progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
		progressbar.OptionThrottle(200*time.Millisecond))
}
