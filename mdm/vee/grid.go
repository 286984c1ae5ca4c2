package vee

import (
	"cmp"
	"time"
)

func floorMod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

// ceilTo rounds t up to a multiple of step.
func ceilTo(t, step int64) int64 {
	if r := floorMod(t, step); r != 0 {
		return t + step - r
	}
	return t
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func cmp64(a, b int64) int { return cmp.Compare(a, b) }

func stamp(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04Z") }
