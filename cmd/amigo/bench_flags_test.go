package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestBenchScenarioFlags: a scenario's flags reach it, and are refused for
// another scenario.
func TestBenchScenarioFlags(t *testing.T) {
	var got float64
	all := map[string]scenario{
		"a": {flags: func(fs *pflag.FlagSet) { fs.Float64Var(&got, "readings", 0, "") },
			run: func(context.Context) (map[string]float64, error) { return map[string]float64{"readings": got}, nil }},
		"b": {run: func(context.Context) (map[string]float64, error) { return map[string]float64{}, nil }},
	}
	run := func(args ...string) (string, error) {
		cmd := newBenchCmdFor(all)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := run("a", "--readings", "1e9", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Metrics map[string]float64 }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Metrics["readings"] != 1e9 {
		t.Errorf("bench a --readings 1e9 --json printed %q (%v)", out, err)
	}
	if _, err := run("b", "--readings", "5"); err == nil || !strings.Contains(err.Error(), "--readings is a flag of scenario a") {
		t.Errorf("bench b --readings: %v, want a refusal naming scenario a", err)
	}
}
