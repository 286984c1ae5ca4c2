package main

import (
	"context"
	"os"

	"github.com/spf13/pflag"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/push"
)

// progressTo is stderr when it is a terminal (a progress bar would only
// clutter a log), else nil.
func progressTo() *os.File {
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		return os.Stderr
	}
	return nil
}

// hesScenario is `amigo bench hes`: meter reads per second (HLS-GMAC
// association + one day of the 15-minute profile in GET blocks) against
// in-process software meters on loopback.
func hesScenario() scenario {
	var c hes.ReadBenchConfig
	return scenario{
		doc: "meter reads/s: HLS-GMAC association + 15-min profile block read against in-process meters on loopback",
		flags: func(fs *pflag.FlagSet) {
			fs.IntVar(&c.Meters, "hes-meters", 100, "in-process software meters, each a DLMS server on loopback")
			fs.IntVar(&c.Concurrency, "hes-concurrency", 32, "reads in flight")
			fs.BoolVar(&c.Test, "hes-test-meters", false, "read hes/hestest's meters instead of the software meter")
		},
		run: func(context.Context) (map[string]float64, error) {
			if p := progressTo(); p != nil {
				c.Progress = p
			}
			return hes.ReadScenario(c)
		},
	}
}

// pushScenario is `amigo bench push`: pushes/s decrypted, authenticated,
// decoded and durably published on the embedded bus.
func pushScenario() scenario {
	var c push.BenchConfig
	return scenario{
		doc: "pushes/s decrypted, authenticated, decoded and durably published (real listener, embedded bus)",
		flags: func(fs *pflag.FlagSet) {
			fs.IntVar(&c.Meters, "push-meters", 10_000, "meters pushing, each with its own system title")
			fs.IntVar(&c.Rounds, "push-rounds", 20, "pushes per meter per run")
			fs.IntVar(&c.Pushers, "push-connections", 16, "TCP connections the pushes arrive on")
		},
		run: func(context.Context) (map[string]float64, error) {
			if p := progressTo(); p != nil {
				c.Progress = p
			}
			return push.Scenario(c)
		},
	}
}
