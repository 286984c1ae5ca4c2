//go:build race

package nilm_test

// The race detector slows the metrology core and the detectors some
// fifteen times, and the recognition test runs on one goroutine: it plays
// one fold instead of five.
const raceEnabled = true
