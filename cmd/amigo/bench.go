package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/metrology/verify"
	"github.com/amigo-ami/amigo/nilm"
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
				return bench.Run(
					bench.Part{Func: dlms.BenchmarkDecodeLoadProfile},
					bench.Part{Prefix: "encode-", Func: dlms.BenchmarkEncodeLoadProfile},
					bench.Part{Prefix: "gmac-roundtrip-", Func: dlms.BenchmarkGMACRoundTrip},
				)
			},
		},
		"metrology": {
			doc: "three-phase metrology core at 8 kHz with harmonics: meter-s/cpu-s, allocs/window",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: verify.BenchmarkCore})
			},
		},
		"nilm": {
			doc: "classify one appliance event with a 50-appliance feature library (ms/event, library-bytes)",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: nilm.BenchmarkClassify})
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
