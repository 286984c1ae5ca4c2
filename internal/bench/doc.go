// Package bench is the common shape of amigo's scenario benchmarks: the JSON
// document `amigo bench NAME --json` prints, the description of the machine it
// ran on, and the conversion of a testing.BenchmarkResult into named metrics.
//
// A scenario is written once, as a func(*testing.B) in the package it
// measures, and runs both under `go test -bench` (through a one-line wrapper in
// a _test.go file) and under `amigo bench` (through testing.Benchmark), so the
// figures in BENCHMARKS.md come from the same code either way. Metric units are
// spelled as in BENCHMARKS.md (`meter-s/cpu-s`, `ns/apdu`, `readings/s`, …)
// so scripts can compare runs.
package bench
