package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/metrology/verify"
)

// scenario is one `amigo bench NAME`: it runs the named measurement and
// returns its metrics, in the units BENCHMARKS.md uses.
type scenario struct {
	doc string
	run func(ctx context.Context) (map[string]float64, error)
}

// scenarios lists every benchmark scenario by name (ARCHITECTURE §3). Each
// entry calls into the package that owns the measured code.
func scenarios() map[string]scenario {
	return map[string]scenario{
		"bus": {
			doc: "publishing with acknowledgements on the embedded bus: msgs/s batched and single",
			run: func(context.Context) (map[string]float64, error) { return bus.PublishMetrics() },
		},
		"dlms": {
			doc: "GET-Response with a 96-row load profile (3,942 bytes): decode, encode, AES-GCM protect+open",
			run: func(context.Context) (map[string]float64, error) {
				m := map[string]float64{}
				for _, b := range []struct {
					prefix string
					fn     func(*testing.B)
				}{
					{"", dlms.BenchmarkDecodeLoadProfile},
					{"encode-", dlms.BenchmarkEncodeLoadProfile},
					{"gmac-roundtrip-", dlms.BenchmarkGMACRoundTrip},
				} {
					for unit, v := range bench.Metrics(testing.Benchmark(b.fn)) {
						if unit != "ns/op" && unit != "MB/s" {
							m[b.prefix+unit] = v
						}
					}
				}
				return m, nil
			},
		},
		"metrology": {
			doc: "three-phase metrology core at 8 kHz with harmonics: meter-s/cpu-s, allocs/window",
			run: func(context.Context) (map[string]float64, error) {
				r := testing.Benchmark(verify.BenchmarkCore)
				if r.N == 0 {
					return nil, errors.New("benchmark failed")
				}
				return bench.Metrics(r), nil
			},
		},
	}
}

func newBenchCmd() *cobra.Command {
	var asJSON bool
	all := scenarios()
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	slices.Sort(names)
	cmd := &cobra.Command{
		Use:   "bench NAME",
		Short: "Run a scenario benchmark (" + strings.Join(names, ", ") + ")",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, ok := all[args[0]]
			if !ok {
				return fmt.Errorf("bench: unknown scenario %q (have: %s)", args[0], strings.Join(names, ", "))
			}
			metrics, err := sc.run(cmd.Context())
			if err != nil {
				return fmt.Errorf("bench %s: %w", args[0], err)
			}
			res := bench.NewResult(args[0], metrics)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			fmt.Fprintf(out, "%s on %s (%d cores), %s\n", res.Name, res.Machine.CPU, res.Machine.Cores, res.Date)
			units := make([]string, 0, len(metrics))
			for u := range metrics {
				units = append(units, u)
			}
			sort.Strings(units)
			for _, u := range units {
				fmt.Fprintf(out, "  %14.6g %s\n", metrics[u], u)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
