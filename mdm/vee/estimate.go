package vee

import (
	"math/bits"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Estimate fills the gaps of rep with estimated register readings at the
// missing grid times and stores them in rep.Estimates:
//
//   - a gap between two readings of up to ShortGap missing readings: a
//     straight line between them;
//   - a longer gap between two readings: the register difference across
//     it, shared out in proportion to the meter's profile (the mean energy
//     of the same weekday and time of day over the history in
//     in.Registers), a straight line if the profile is empty;
//   - a gap at the end of the range: the profile's energies added on
//     from the last reading (flat without a profile);
//   - a gap at the start with no reading before it: left alone, since a
//     register cannot be extrapolated backwards honestly.
//
// Estimated values are integers; a closed gap's estimates end exactly at
// the reading after it, and never decrease.
func Estimate(cfg Config, in Input, rep *Report) {
	cfg = cfg.Defaults()
	step := cfg.step()
	var p *profile
	for _, g := range rep.Gaps {
		if g.OpenStart {
			continue
		}
		if !g.OpenEnd && (g.Before.Value < g.After.Value) {
			continue // a decrease across the gap: validation flagged it
		}
		if p == nil && (g.OpenEnd || g.Missing > cfg.ShortGap) {
			p = newProfile(cfg, in.Registers)
		}
		times := make([]int64, 0, g.Missing)
		for t := g.From; t <= g.To; t += step {
			times = append(times, t)
		}
		var values []int64
		switch {
		case g.OpenEnd:
			values = p.extrapolate(g.After, times)
		case g.Missing <= cfg.ShortGap || p.empty():
			values = linear(g.After, g.Before, times)
		default:
			values = p.share(g.After, g.Before, times)
		}
		for i, t := range times {
			rep.Estimates = append(rep.Estimates, store.Reading{Meter: g.After.Meter, Channel: g.After.Channel, Time: t, Value: values[i], Quality: store.Estimated})
		}
	}
}

// linear interpolates the register at times between a and b.
func linear(a, b store.Reading, times []int64) []int64 {
	out := make([]int64, len(times))
	span := b.Time - a.Time
	for i, t := range times {
		out[i] = a.Value + mulDiv(b.Value-a.Value, t-a.Time, span)
	}
	return out
}

// mulDiv returns ⌊x·num/den⌋ for x, num ≥ 0, num ≤ den, in 128 bits.
func mulDiv(x, num, den int64) int64 {
	hi, lo := bits.Mul64(uint64(x), uint64(num))
	q, _ := bits.Div64(hi, lo, uint64(den))
	return int64(q)
}

// profile is a meter's mean energy per interval by weekday and time of
// day, from its history.
type profile struct {
	cfg   Config
	step  int64
	sum   []int64 // by slot
	count []int64
	mean  int64 // over all slots, for slots never seen
}

func newProfile(cfg Config, regs []store.Reading) *profile {
	step := cfg.step()
	slots := int(7 * 24 * time.Hour / cfg.Interval)
	p := &profile{cfg: cfg, step: step, sum: make([]int64, slots), count: make([]int64, slots)}
	var total, n int64
	for i := 1; i < len(regs); i++ {
		a, b := regs[i-1], regs[i]
		if !usable(a) || !usable(b) || b.Time-a.Time != step || b.Value < a.Value ||
			a.Quality.Class() != store.ClassActual || b.Quality.Class() != store.ClassActual || b.Quality&store.Suspect != 0 {
			continue
		}
		s := p.slot(a.Time)
		p.sum[s] += b.Value - a.Value
		p.count[s]++
		total += b.Value - a.Value
		n++
	}
	if n > 0 {
		p.mean = total / n
	}
	return p
}

func (p *profile) empty() bool { return p.mean == 0 }

// slot is the weekday and local time of day of the interval starting at t.
func (p *profile) slot(t int64) int {
	lt := time.UnixMilli(t).In(p.cfg.Location)
	day := int(lt.Weekday())
	tod := int64(lt.Hour())*3_600_000 + int64(lt.Minute())*60_000 + int64(lt.Second())*1000
	return day*int(24*time.Hour/p.cfg.Interval) + int(tod/p.step)
}

// energy is the profile's mean energy of the interval [t, t+step).
func (p *profile) energy(t int64) int64 {
	s := p.slot(t)
	if p.count[s] == 0 {
		return p.mean
	}
	return p.sum[s] / p.count[s]
}

// extrapolate adds the profile's energies on from a.
func (p *profile) extrapolate(a store.Reading, times []int64) []int64 {
	out := make([]int64, len(times))
	v, prev := a.Value, a.Time
	for i, t := range times {
		for s := prev; s < t; s += p.step {
			v += p.energy(s)
		}
		out[i], prev = v, t
	}
	return out
}

// share spreads the register difference from a to b over the intervals
// between the times in proportion to the profile's energies.
func (p *profile) share(a, b store.Reading, times []int64) []int64 {
	// weights[i]: the interval ending at times[i] (and, last, at b).
	bounds := append(append([]int64{a.Time}, times...), b.Time)
	cum := make([]int64, len(bounds))
	for i := 1; i < len(bounds); i++ {
		var w int64
		for s := bounds[i-1]; s < bounds[i]; s += p.step {
			w += max(p.energy(s), 0)
		}
		cum[i] = cum[i-1] + w
	}
	total := cum[len(cum)-1]
	if total == 0 {
		return linear(a, b, times)
	}
	out := make([]int64, len(times))
	for i := range times {
		out[i] = a.Value + mulDiv(b.Value-a.Value, cum[i+1], total)
	}
	return out
}
