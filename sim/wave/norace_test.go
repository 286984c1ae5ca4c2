//go:build !race

package wave

const raceScale = 1
