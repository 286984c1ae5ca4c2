package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/metrology/verify"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/sim"
	"github.com/amigo-ami/amigo/sim/wave"
)

// scenario is one `amigo bench NAME`: it runs the named measurement and
// returns its metrics, in the units BENCHMARKS.md uses. flags, if set,
// registers the scenario's own flags (`amigo bench store --readings 1e9`);
// they are rejected with any other scenario.
type scenario struct {
	doc   string
	flags func(*pflag.FlagSet)
	run   func(ctx context.Context) (map[string]float64, error)
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
			doc: "GET-Response with a 96-row load profile (3,942 bytes): decode, encode, AES-GCM protect+open; HLS-GMAC associations/s and reads/s over loopback",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(
					bench.Part{Func: apdu.BenchmarkDecodeLoadProfile},
					bench.Part{Prefix: "encode-", Func: apdu.BenchmarkEncodeLoadProfile},
					bench.Part{Prefix: "gmac-roundtrip-", Func: security.BenchmarkGMACRoundTrip},
					bench.Part{Prefix: "loopback-associate-", Func: dlms.BenchmarkLoopbackAssociate},
					bench.Part{Prefix: "loopback-read-", Func: dlms.BenchmarkLoopbackRead},
				)
			},
		},
		"metrology": {
			doc: "three-phase metrology core at 8 kHz with harmonics: meter-s/cpu-s, allocs/window",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: verify.BenchmarkCore})
			},
		},
		"meter": {
			doc: "1000 meters in fast mode (load model, accumulator, management core, object tree) stepped a second at a time: meter-s/cpu-s, B/meter",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: device.BenchmarkFleet})
			},
		},
		"nilm": {
			doc: "classify one appliance event with a 50-appliance feature library (ms/event, library-bytes)",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: nilm.BenchmarkClassify})
			},
		},
		"nilm-detect": {
			doc: "NILM event detection alone on one 8 kHz phase with appliances switching (cycles/s, allocs/op)",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: nilm.BenchmarkDetect})
			},
		},
		"sim": {
			doc: "10,000 meters in fast mode on one scheduler, advanced a quarter hour at a time: meter-s/cpu-s, B/meter",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Func: sim.BenchmarkFleet})
			},
		},
		"sim-home": {
			doc: "one simulated waveform home at 8 kHz (metrology core, management core), without and with the NILM module on its tap: meter-s/cpu-s",
			run: func(context.Context) (map[string]float64, error) {
				return bench.Run(bench.Part{Prefix: "bare-", Func: wave.BenchmarkHome}, bench.Part{Prefix: "nilm-", Func: wave.BenchmarkHomeNILM})
			},
		},
		"store":      storeScenario(),
		"clickhouse": clickhouseScenario(),
		"hes":        hesScenario(),
		"push":       pushScenario(),
		"billing":    billingScenario(),
	}
}

func newBenchCmd() *cobra.Command { return newBenchCmdFor(scenarios()) }

func newBenchCmdFor(all map[string]scenario) *cobra.Command {
	var asJSON bool
	owner := map[string]string{} // scenario flag → its scenario
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
			var foreign error
			cmd.Flags().Visit(func(f *pflag.Flag) {
				if o := owner[f.Name]; o != "" && o != args[0] && foreign == nil {
					foreign = fmt.Errorf("bench %s: --%s is a flag of scenario %s", args[0], f.Name, o)
				}
			})
			if foreign != nil {
				return foreign
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
	for _, n := range names {
		if all[n].flags == nil {
			continue
		}
		fs := pflag.NewFlagSet(n, pflag.ContinueOnError)
		all[n].flags(fs)
		fs.VisitAll(func(f *pflag.Flag) {
			if cmd.Flags().Lookup(f.Name) != nil {
				panic(fmt.Sprintf("bench: scenario %s redefines flag --%s", n, f.Name))
			}
			owner[f.Name] = n
			f.Usage = "(" + n + ") " + f.Usage
			cmd.Flags().AddFlag(f)
		})
	}
	return cmd
}
