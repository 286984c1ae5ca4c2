package fault

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrSpec is wrapped by every specification error.
var ErrSpec = errors.New("fault spec")

// Period is a fault that holds for a while: a fraction of the time, in
// periods of a mean length.
type Period struct {
	Fraction float64
	Mean     time.Duration
}

// Rate is how often a fault happens: Count times per Per.
type Rate struct {
	Count float64
	Per   time.Duration
}

// mean is the mean time between two occurrences (0: never).
func (r Rate) mean() time.Duration {
	if r.Count <= 0 || r.Per <= 0 {
		return 0
	}
	return time.Duration(float64(r.Per) / r.Count)
}

// Spec is a fault specification; the zero Spec injects nothing.
type Spec struct {
	Loss, Corrupt   float64       // probability per frame
	Latency, Jitter time.Duration // added to every frame: Latency ± Jitter
	Offline, Outage Period
	DriftPPM        float64 // each meter's drift is uniform in ±DriftPPM
	Restart         Rate
	Tamper          Rate
	ICLoss          Rate
}

// Default mean period lengths when a spec gives only the fraction.
const (
	DefaultOfflineMean = time.Hour
	DefaultOutageMean  = 15 * time.Minute
)

// IsZero reports whether s injects nothing.
func (s Spec) IsZero() bool { return s == Spec{} }

// names lists the items in their canonical order.
var names = []string{"loss", "corrupt", "latency", "offline", "outage", "drift", "restart", "tamper", "icloss"}

// Parse reads a specification (see the package documentation). The empty
// string is the zero Spec.
func Parse(s string) (Spec, error) {
	var spec Spec
	if strings.TrimSpace(s) == "" {
		return spec, nil
	}
	seen := map[string]bool{}
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		name, value, ok := strings.Cut(item, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		var err error
		switch {
		case !ok:
			err = fmt.Errorf("want NAME=VALUE (names: %s)", strings.Join(names, ", "))
		case seen[name]:
			err = errors.New("given twice")
		default:
			err = spec.set(name, value)
		}
		if err != nil {
			return Spec{}, fmt.Errorf("%w: item %d %q: %w", ErrSpec, i+1, item, err)
		}
		seen[name] = true
	}
	return spec, nil
}

// set parses one item's value into s.
func (s *Spec) set(name, value string) error {
	var err error
	switch name {
	case "loss":
		s.Loss, err = probability(value)
	case "corrupt":
		s.Corrupt, err = probability(value)
	case "latency":
		s.Latency, s.Jitter, err = latency(value)
	case "offline":
		s.Offline, err = period(value, DefaultOfflineMean)
	case "outage":
		s.Outage, err = period(value, DefaultOutageMean)
	case "drift":
		s.DriftPPM, err = drift(value)
	case "restart":
		s.Restart, err = rate(value)
	case "tamper":
		s.Tamper, err = rate(value)
	case "icloss":
		s.ICLoss, err = rate(value)
	default:
		err = fmt.Errorf("unknown fault (names: %s)", strings.Join(names, ", "))
	}
	return err
}

// fraction reads "0.1" or "10%".
func fraction(v string) (float64, error) {
	x, pct := strings.CutSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number or a percentage", v)
	}
	if pct {
		f /= 100
	}
	return f, nil
}

func probability(v string) (float64, error) {
	p, err := fraction(v)
	if err == nil && (p < 0 || p > 1) {
		err = fmt.Errorf("probability %v: want 0 ≤ P ≤ 1", p)
	}
	return p, err
}

func latency(v string) (time.Duration, time.Duration, error) {
	d, j, _ := strings.Cut(v, "~")
	lat, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil || lat < 0 {
		return 0, 0, fmt.Errorf("latency %q: want a duration ≥ 0 such as 20ms", d)
	}
	var jit time.Duration
	if j != "" {
		if jit, err = time.ParseDuration(strings.TrimSpace(j)); err != nil || jit < 0 || jit > lat {
			return 0, 0, fmt.Errorf("jitter %q: want a duration from 0 to the latency", j)
		}
	}
	return lat, jit, nil
}

// Bounds that keep plans within time.Duration: the longest mean period
// or time between faults, and the smallest fraction or count.
const (
	maxMean  = 10 * 365 * 24 * time.Hour
	minShare = 1e-6
)

func period(v string, mean time.Duration) (Period, error) {
	f, m, hasMean := strings.Cut(v, "@")
	frac, err := fraction(f)
	if err != nil {
		return Period{}, err
	}
	if frac < 0 || frac >= 1 || frac > 0 && frac < minShare {
		return Period{}, fmt.Errorf("fraction %v: want 0 ≤ F < 1 (0 or at least %g)", frac, minShare)
	}
	if hasMean {
		if mean, err = time.ParseDuration(strings.TrimSpace(m)); err != nil || mean < time.Second || mean > maxMean {
			return Period{}, fmt.Errorf("mean period %q: want a duration from 1s to %v", m, maxMean)
		}
	}
	if frac == 0 {
		return Period{}, nil
	}
	return Period{Fraction: frac, Mean: mean}, nil
}

func drift(v string) (float64, error) {
	x := strings.TrimSpace(strings.TrimSuffix(v, "ppm"))
	ppm, err := strconv.ParseFloat(x, 64)
	if err != nil || math.IsNaN(ppm) || ppm < 0 || ppm > 1e4 {
		return 0, fmt.Errorf("drift %q: want 0 to 10000 ppm", v)
	}
	return ppm, nil
}

func rate(v string) (Rate, error) {
	c, per, ok := strings.Cut(v, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want COUNT/PER such as 0.5/day", v)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(c), 64)
	if err != nil || math.IsNaN(n) || n < 0 || n > 1e6 || n > 0 && n < minShare {
		return Rate{}, fmt.Errorf("count %q: want 0 or a number from %g to 1e6", c, minShare)
	}
	var d time.Duration
	switch p := strings.TrimSpace(per); p {
	case "day", "d":
		d = 24 * time.Hour
	case "hour", "h":
		d = time.Hour
	default:
		if d, err = time.ParseDuration(p); err != nil || d < time.Second || d > maxMean {
			return Rate{}, fmt.Errorf("per %q: want day, hour or a duration from 1s to %v", p, maxMean)
		}
	}
	if n == 0 {
		return Rate{}, nil
	}
	switch mean := float64(d) / n; {
	case mean < float64(time.Second):
		return Rate{}, fmt.Errorf("rate %q: more than one a second", v)
	case mean > float64(maxMean):
		return Rate{}, fmt.Errorf("rate %q: less than once in %v", v, maxMean)
	}
	return Rate{Count: n, Per: d}, nil
}

// String writes s in the form Parse reads, items in canonical order, the
// zero ones left out.
func (s Spec) String() string {
	var items []string
	add := func(name, v string) { items = append(items, name+"="+v) }
	num := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	if s.Loss > 0 {
		add("loss", num(s.Loss))
	}
	if s.Corrupt > 0 {
		add("corrupt", num(s.Corrupt))
	}
	if s.Latency > 0 {
		v := s.Latency.String()
		if s.Jitter > 0 {
			v += "~" + s.Jitter.String()
		}
		add("latency", v)
	}
	for _, p := range []struct {
		name string
		p    Period
	}{{"offline", s.Offline}, {"outage", s.Outage}} {
		if p.p.Fraction > 0 {
			add(p.name, num(p.p.Fraction)+"@"+p.p.Mean.String())
		}
	}
	if s.DriftPPM > 0 {
		add("drift", num(s.DriftPPM)+"ppm")
	}
	for _, r := range []struct {
		name string
		r    Rate
	}{{"restart", s.Restart}, {"tamper", s.Tamper}, {"icloss", s.ICLoss}} {
		if r.r.Count > 0 {
			add(r.name, num(r.r.Count)+"/"+r.r.Per.String())
		}
	}
	return strings.Join(items, ",")
}

// Names returns the item names a specification may use.
func Names() []string { return slices.Clone(names) }
