//go:build !race

package nilm_test

const raceEnabled = false
