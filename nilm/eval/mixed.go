package eval

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"

	"github.com/amigo-ami/amigo/nilm"
	"gonum.org/v1/gonum/dsp/fourier"
)

// Semi-synthetic mixed loads. With a stiff supply the currents of loads on
// one circuit add, so summing the event currents of several appliances
// (each one PLAID cycle, repeated while it applies) against one voltage
// cycle gives the current a meter would see at the current level. Each
// appliance switches on with the current of one of its switch-on events
// and off with the current of one of its switch-off events; where those
// differ (PLAID's appliances often switch on in another mode than they
// switch off from), the appliance changes mode in between, as the real
// appliance did. Every on and off event is detected on the stream and
// classified on its difference current while the others run, by a tree
// trained on the folds the appliances' events were not taken from. Mode
// changes are not scored, but whatever the meter makes of them goes into
// its energy figures.

// MixedConfig sets up the mixed-load evaluation. Zero fields take defaults.
type MixedConfig struct {
	Trials  int     // scenarios; 60 if 0
	Seed    uint64  // fixes folds, appliance draws, schedule and noise
	Folds   int     // 5 if 0
	MinApps int     // appliances per scenario, 2 … 4 if 0
	MaxApps int     //
	NoiseA  float64 // current noise σ per sample, A; 0.002 if 0
	NoiseV  float64 // voltage noise σ per sample, V; 0.1 if 0
	RateHz  float64 // of the event cycles; 30000 if 0
	MainsHz float64 // 60 if 0
	Train   nilm.TrainConfig
}

// MixedResult are the figures of the mixed-load evaluation.
type MixedResult struct {
	Scenarios int     `json:"scenarios"`
	Events    int     `json:"events"`       // true on and off events
	Detected  int     `json:"detected"`     // true events with a detection near them
	Correct   int     `json:"correct"`      // detected with the right appliance and direction
	Modes     int     `json:"mode_changes"` // mode changes in the streams (not scored)
	Extra     int     `json:"extra"`        // detections near no true event or mode change
	Excluded  int     `json:"excluded"`     // event currents drawing less than twice the minimum step, not used
	Accuracy  float64 `json:"accuracy"`     // Correct / Events
	// CorrectNearest counts the detected events whose nearest appliance
	// (the answer before the unknown threshold) and direction are right;
	// AccuracyNearest is CorrectNearest / Events. The gap to Accuracy is
	// what the unknown threshold costs on appliances the library knows.
	CorrectNearest  int     `json:"correct_nearest"`
	AccuracyNearest float64 `json:"accuracy_nearest"`
	// EnergyError is the mean over appliances and scenarios of
	// |estimated − true| / true energy.
	EnergyError float64 `json:"energy_error"`
	// Mistakes counts the wrong answers as "truth -> answer".
	Mistakes map[string]int `json:"mistakes"`
	Example  *Scenario      `json:"example"`
}

// Scenario is one mixed-load run: what happened and what was recognised.
type Scenario struct {
	Truth     []nilm.Interval `json:"truth"`
	Estimated []nilm.Interval `json:"estimated"`
	Usage     []nilm.Usage    `json:"usage"`
	Events    []MixedEvent    `json:"events"`
}

// MixedEvent is one detected event of a scenario.
type MixedEvent struct {
	AtS      float64 `json:"at_s"`
	Label    string  `json:"label"`
	State    string  `json:"state"`
	Truth    string  `json:"truth"` // "label state", or "" for an extra detection
	Distance float64 `json:"distance"`
}

func (c *MixedConfig) fill() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Trials, 60)
	def(&c.Folds, 5)
	def(&c.MinApps, 2)
	def(&c.MaxApps, 4)
	deff := func(v *float64, d float64) {
		if !(*v > 0) {
			*v = d
		}
	}
	deff(&c.NoiseA, 0.002)
	deff(&c.NoiseV, 0.1)
	deff(&c.RateHz, 30000)
	deff(&c.MainsHz, 60)
	c.MaxApps = max(c.MaxApps, c.MinApps)
}

// appliance is one appliance of a scenario.
type appliance struct {
	label        string
	on, off      []float64 // its current after switch-on and before switch-off, against the common voltage
	pOn, pOff    float64   // W
	changesMode  bool      // on and off currents come from different events
	onAt, modeAt int       // cycles; modeAt == offAt when the appliance does not change mode
	offAt        int
	inrush       float64 // extra multiple of the on current at switch-on, decaying with inrushTau
}

// current is the appliance's current in cycle c (nil when off) and the
// gain to apply to it.
func (a *appliance) current(c int) ([]float64, float64) {
	switch {
	case c < a.onAt || c >= a.offAt:
		return nil, 0
	case c < a.modeAt:
		return a.on, 1 + a.inrush*math.Exp(-float64(c-a.onAt)/inrushTau)
	}
	return a.off, 1
}

// Mixed runs the mixed-load evaluation on items (one cycle each).
func Mixed(items []Item, cfg MixedConfig) (MixedResult, error) {
	cfg.fill()
	folds := StratifiedFolds(labelsOf(items), cfg.Folds, cfg.Seed)
	trees, err := foldTrees(items, folds, cfg.Folds, cfg.Train)
	if err != nil {
		return MixedResult{}, fmt.Errorf("mixed loads: %w", err)
	}
	return mixed(items, folds, trees, cfg)
}

// mixed runs the scenarios; trees[f] was trained on every fold but f, and
// scenarios of fold f draw their appliances' events from fold f only.
func mixed(items []Item, folds []int, trees []*nilm.Classifier, cfg MixedConfig) (MixedResult, error) {
	cfg.fill()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6d69786564))
	det := nilm.DetectorConfig{RateHz: cfg.RateHz, MainsHz: cfg.MainsHz}
	d, err := nilm.NewDetector(det)
	if err != nil {
		return MixedResult{}, err
	}
	minStep := d.Config().MinStepW
	res := MixedResult{Mistakes: map[string]int{}}
	pools := make([][]int, cfg.Folds)
	for i := range items {
		if items[i].Features.P >= 2*minStep {
			pools[folds[i]] = append(pools[folds[i]], i)
		} else {
			res.Excluded++
		}
	}
	var energyErr float64
	var energyN int
	for trial := range cfg.Trials {
		f := trial % cfg.Folds
		n := cfg.MinApps + rng.IntN(cfg.MaxApps-cfg.MinApps+1)
		apps, vCycle := drawAppliances(rng, items, pools[f], n)
		sc, truth, err := runScenario(rng, apps, vCycle, trees[f], det, cfg, &res)
		if err != nil {
			return MixedResult{}, fmt.Errorf("mixed loads, scenario %d: %w", trial, err)
		}
		for k, a := range apps {
			var est float64
			for _, u := range sc.Usage {
				if u.Label == a.label {
					est = u.EnergyWh
				}
			}
			energyErr += math.Abs(est-truth[k]) / truth[k]
			energyN++
		}
		if trial == 0 {
			res.Example = sc
		}
		res.Scenarios++
	}
	if res.Events > 0 {
		res.Accuracy = float64(res.Correct) / float64(res.Events)
		res.AccuracyNearest = float64(res.CorrectNearest) / float64(res.Events)
	}
	if energyN > 0 {
		res.EnergyError = energyErr / float64(energyN)
	}
	return res, nil
}

// drawAppliances picks n distinct appliances from pool, each with one of
// its switch-on and one of its switch-off events (the same event for both
// when the pool has only one kind), and the voltage cycle they all play
// against.
func drawAppliances(rng *rand.Rand, items []Item, pool []int, n int) ([]appliance, []float64) {
	byLabel := map[string][2][]int{} // [off, on] events per label
	var labels []string
	for _, i := range pool {
		l := items[i].Sample.Label
		e, ok := byLabel[l]
		if !ok {
			labels = append(labels, l)
		}
		st := items[i].Sample.State
		e[st] = append(e[st], i)
		byLabel[l] = e
	}
	rng.Shuffle(len(labels), func(a, b int) { labels[a], labels[b] = labels[b], labels[a] })
	labels = labels[:min(n, len(labels))]
	pick := func(l string, st nilm.State) int {
		e := byLabel[l]
		if len(e[st]) == 0 {
			st = 1 - st
		}
		return e[st][rng.IntN(len(e[st]))]
	}
	type pair struct{ on, off int }
	pairs := make([]pair, len(labels))
	// The common voltage is the drawn cycle nearest 120 V RMS: a heavy
	// load's record shows its own supply's sag, which is not stiff.
	vCycle, bestDev := []float64(nil), math.Inf(1)
	for k, l := range labels {
		pairs[k] = pair{pick(l, nilm.On), pick(l, nilm.Off)}
		for _, i := range []int{pairs[k].on, pairs[k].off} {
			if dev := math.Abs(items[i].Features.VRMS - 120); dev < bestDev {
				vCycle, bestDev = items[i].voltage, dev
			}
		}
	}
	apps := make([]appliance, len(labels))
	for k, l := range labels {
		on, off := pairs[k].on, pairs[k].off
		apps[k] = appliance{
			label:  l,
			on:     referTo(items[on].current, items[on].voltage, vCycle),
			off:    referTo(items[off].current, items[off].voltage, vCycle),
			inrush: 2 * rng.Float64(),
		}
		apps[k].changesMode = on != off
		apps[k].pOn, apps[k].pOff = meanPower(vCycle, apps[k].on), meanPower(vCycle, apps[k].off)
	}
	return apps, vCycle
}

func meanPower(v, i []float64) float64 {
	var p float64
	for k := range v {
		p += v[k] * i[k]
	}
	return p / float64(len(v))
}

// Schedule constants, in cycles. Each on event is followed by a mode change
// modeDelay later (when the appliance has one) and the next event eventGap
// after it, so every event has its steady states either side: the detector
// needs 5 before and 10 after, plus the inrush.
const (
	leadCycles = 30
	eventGap   = 60
	modeDelay  = eventGap / 2
	jitter     = 10
	inrushTau  = 2.0 // cycles
)

// referTo rotates a current cycle recorded against voltage own so that
// every harmonic keeps its phase relative to the voltage fundamental when
// it is played against the common voltage cycle. Each PLAID cycle starts
// at its own sampled zero crossing, and the fundamental's phase there
// differs by about a degree from record to record with the supply's
// distortion: enough to move a load across a physics threshold.
func referTo(cur, own, common []float64) []float64 {
	fft := fourier.NewFFT(len(cur))
	ov, cv := fft.Coefficients(nil, own), fft.Coefficients(nil, common)
	delta := cmplx.Phase(cv[1]) - cmplx.Phase(ov[1])
	c := fft.Coefficients(nil, cur)
	for h := range c {
		c[h] *= cmplx.Rect(1, float64(h)*delta)
	}
	out := fft.Sequence(nil, c)
	for k := range out {
		out[k] /= float64(len(cur))
	}
	return out
}

// truthEvent is one on, off or mode-change event of a scenario.
type truthEvent struct {
	cycle int
	app   int
	kind  string // "on", "off" or "mode"
}

func runScenario(rng *rand.Rand, apps []appliance, vCycle []float64, c *nilm.Classifier, det nilm.DetectorConfig, cfg MixedConfig, res *MixedResult) (*Scenario, []float64, error) {
	n := len(apps)
	slots := rng.Perm(2 * n)
	var events []truthEvent
	for k := range apps {
		a, b := slots[2*k], slots[2*k+1]
		if a > b {
			a, b = b, a
		}
		ap := &apps[k]
		ap.onAt = leadCycles + a*eventGap + rng.IntN(jitter)
		ap.offAt = leadCycles + b*eventGap + rng.IntN(jitter)
		events = append(events, truthEvent{ap.onAt, k, "on"}, truthEvent{ap.offAt, k, "off"})
		if ap.changesMode {
			ap.modeAt = ap.onAt + modeDelay
			events = append(events, truthEvent{ap.modeAt, k, "mode"})
			res.Modes++
		} else {
			ap.modeAt = ap.offAt
		}
	}
	slices.SortFunc(events, func(x, y truthEvent) int { return x.cycle - y.cycle })
	total := leadCycles + 2*n*eventGap + eventGap
	m := len(vCycle)
	d, err := nilm.NewDetector(det)
	if err != nil {
		return nil, nil, err
	}
	tr := nilm.NewTracker()
	sc := &Scenario{}
	matched := make([]bool, len(events))
	var emitErr error
	emit := func(ev nilm.Event) {
		r, err := c.Classify(&ev)
		if err != nil {
			emitErr = err
			return
		}
		f, _ := nilm.Extract(ev.Voltage, ev.Current)
		at := float64(ev.Sample) / cfg.RateHz
		tr.Observe(at, r, f.P)
		me := MixedEvent{AtS: at, Label: r.Label, State: r.State.String(), Distance: r.Distance}
		// The event is reported at its first steady cycle after the step,
		// before the next step can begin: it belongs to the latest step at
		// or before it (small mode changes may go undetected, so the
		// earliest open one is not necessarily it).
		k := -1
		for j, t := range events {
			if !matched[j] && ev.Cycle >= t.cycle-2 && ev.Cycle < t.cycle+modeDelay-2 {
				k = j
			}
		}
		if k >= 0 {
			t := events[k]
			matched[k] = true
			me.Truth = apps[t.app].label + " " + t.kind
			if t.kind != "mode" {
				res.Detected++
				if r.Nearest == apps[t.app].label && r.State.String() == t.kind {
					res.CorrectNearest++
				}
				if r.Label == apps[t.app].label && r.State.String() == t.kind {
					res.Correct++
				} else {
					res.Mistakes[me.Truth+" -> "+r.Label+" "+r.State.String()]++
				}
			}
		}
		if me.Truth == "" {
			res.Extra++
		}
		sc.Events = append(sc.Events, me)
	}
	v, i := make([]float64, m), make([]float64, m)
	for cyc := range total {
		for k := range m {
			v[k] = vCycle[k] + cfg.NoiseV*rng.NormFloat64()
			i[k] = cfg.NoiseA * rng.NormFloat64()
		}
		for a := range apps {
			cur, gain := apps[a].current(cyc)
			for k := range cur {
				i[k] += gain * cur[k]
			}
		}
		if err := d.Push(v, i, emit); err != nil {
			return nil, nil, err
		}
		if emitErr != nil {
			return nil, nil, emitErr
		}
	}
	for k, e := range events {
		if e.kind == "mode" {
			continue
		}
		res.Events++
		if !matched[k] {
			res.Mistakes[apps[e.app].label+" "+e.kind+" -> missed"]++
		}
	}
	dt := 1 / cfg.MainsHz
	end := float64(total) * dt
	truth := make([]float64, n)
	for k, a := range apps {
		spans := []nilm.Interval{
			{Label: a.label, FromS: float64(a.onAt) * dt, ToS: float64(a.modeAt) * dt, PowerW: a.pOn},
			{Label: a.label, FromS: float64(a.modeAt) * dt, ToS: float64(a.offAt) * dt, PowerW: a.pOff},
		}
		for _, iv := range spans {
			if iv.ToS > iv.FromS {
				iv.EnergyWh = iv.PowerW * (iv.ToS - iv.FromS) / 3600
				truth[k] += iv.EnergyWh
				sc.Truth = append(sc.Truth, iv)
			}
		}
	}
	slices.SortFunc(sc.Truth, func(a, b nilm.Interval) int { return int(math.Copysign(1, a.FromS-b.FromS)) })
	sc.Estimated = tr.Intervals(end)
	sc.Usage = tr.Usage(end)
	return sc, truth, nil
}
