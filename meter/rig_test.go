package meter

import (
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/metrology"
)

// rig is a meter fed by a fast-mode metrology accumulator, the way the
// fleet simulator runs one: every second the load is integrated (nothing
// while the supply is disconnected or the power is down) and the meter
// stepped.
type rig struct {
	t    *testing.T
	acc  *metrology.Accumulator
	m    *Meter
	now  time.Time // true time
	load metrology.Power
}

// monday6 is Monday 3 June 2024 06:00 UTC (the meter runs in UTC unless a
// test sets a zone).
var monday6 = time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)

func newRig(t *testing.T, cfg Config, opts Options) *rig {
	t.Helper()
	if cfg.Serial == "" {
		cfg.Serial = "0000000001"
	}
	acc, err := metrology.NewAccumulator(metrology.EnergyConfig{Start: monday6, FreezePeriods: []time.Duration{}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(cfg, acc.View(), monday6, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, acc: acc, m: m, now: monday6}
}

// watts is a single-phase load of p W at 230 V, power factor 1 (negative
// p exports).
func watts(p float64) metrology.Power {
	i := p / 230
	if i < 0 {
		i = -i
	}
	return metrology.Power{Frequency: 50, Phases: [3]metrology.PhasePower{{U: 230, I: i, P: p, S: i * 230}}}
}

// run advances true time by d, integrating and stepping at most every
// maxStep and exactly at each Next.
func (r *rig) run(d, maxStep time.Duration) {
	r.t.Helper()
	end := r.now.Add(d)
	for r.now.Before(end) {
		next := r.now.Add(maxStep)
		if n := r.m.Next(); n.After(r.now) && n.Before(next) {
			next = n
		}
		if next.After(end) {
			next = end
		}
		p := r.load
		if !r.m.Connected() || !r.m.Powered() {
			p = metrology.Power{Frequency: 50, Phases: [3]metrology.PhasePower{{U: 230}}}
			if !r.m.Powered() {
				p = metrology.Power{}
			}
		}
		if err := r.acc.Integrate(p, next.Sub(r.now)); err != nil {
			r.t.Fatal(err)
		}
		r.now = next
		r.m.Step(r.now)
	}
}

// touConfig is a config with a weekday calendar: tariff 1 from 07:00,
// tariff 2 from 21:00; weekends tariff 2.
func touConfig() Config {
	yns, ns := uint16(axdr.YearNotSpecified), uint8(axdr.NotSpecified)
	at := func(h uint8, sel uint16) calendar.Action {
		return calendar.Action{Start: axdr.Time{Hour: h}, Script: calendar.Script{Table: TariffScripts, Selector: sel}}
	}
	return Config{Calendar: calendar.Activity{Active: calendar.Calendar{
		Name:    "TOU",
		Seasons: []calendar.Season{{Name: "all", Start: axdr.DateTime{Date: axdr.Date{Year: yns, Month: 1, Day: 1, Weekday: ns}}, Week: "w"}},
		Weeks:   []calendar.Week{{Name: "w", Days: [7]uint8{1, 1, 1, 1, 1, 2, 2}}},
		Days:    []calendar.Day{{ID: 1, Actions: []calendar.Action{at(7, 1), at(21, 2)}}, {ID: 2, Actions: []calendar.Action{at(0, 2)}}},
	}}}
}

// pushLog is a Pusher that keeps what it was given and fails the first
// `fail` pushes.
type pushLog struct {
	mu   sync.Mutex
	fail int
	got  [][]byte
	dsts []push.Destination
}

func (p *pushLog) Push(dst push.Destination, apdu []byte, done func(error)) {
	p.mu.Lock()
	p.got = append(p.got, apdu)
	p.dsts = append(p.dsts, dst)
	fail := p.fail > 0
	p.fail--
	p.mu.Unlock()
	if fail {
		done(errPushRefused)
		return
	}
	done(nil)
}

func (p *pushLog) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}
