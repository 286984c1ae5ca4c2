//go:build race

package wave

// The race detector slows the metrology core some twenty times and these
// tests run on one goroutine: they simulate a quarter of the time.
const raceScale = 4
