package nilm_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/feed"
	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/nilm/nilmtest"
)

// These tests run the module on a meter whose real metrology core a
// waveform driver feeds (meter/feed), the module on the driver's tap,
// the way meter/device wires them, and step the meter by hand.

// t0 is Monday 3 June 2024 06:00 UTC.
var t0 = time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)

const rate = 8000.0

// kits holds the PLAID splits and their libraries the tests share:
// training under the race detector takes a second.
var kits struct {
	sync.Mutex
	kit map[int]*nilmtest.Kit
	lib map[*nilmtest.Kit]map[uint32][]byte
}

// kit returns the PLAID split holding out fold (seed 1), or skips.
func kit(t testing.TB, fold int) *nilmtest.Kit {
	t.Helper()
	kits.Lock()
	defer kits.Unlock()
	if k := kits.kit[fold]; k != nil {
		return k
	}
	k := nilmtest.Shared(t, rate, fold, 1)
	if kits.kit == nil {
		kits.kit, kits.lib = map[int]*nilmtest.Kit{}, map[*nilmtest.Kit]map[uint32][]byte{}
	}
	kits.kit[fold], kits.lib[k] = k, map[uint32][]byte{}
	return k
}

// library is k's library signed as version.
func library(t testing.TB, k *nilmtest.Kit, version uint32) []byte {
	t.Helper()
	kits.Lock()
	defer kits.Unlock()
	if lib := kits.lib[k][version]; lib != nil {
		return lib
	}
	lib, err := k.Library(version)
	if err != nil {
		t.Fatal(err)
	}
	kits.lib[k][version] = lib
	return lib
}

// rig is a waveform-mode meter with the module.
type rig struct {
	t      testing.TB
	drv    *feed.Waveform
	m      *meter.Meter
	mod    *nilm.Module
	tree   *objects.Tree
	now    time.Time
	pushes *pushLog
}

// newRig builds the meter over frames of the wired phases (looped by the
// driver) and the module with cfg, completed with the stream's
// description, a pusher and, when none is set, a library from k.
func newRig(t testing.TB, frames []float64, phases [3]bool, cfg nilm.Config) *rig {
	t.Helper()
	drv, err := feed.NewWaveform(frames, phases, rate, t0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := meter.New(meter.Config{Serial: "0000000042"}, drv.View(), t0, meter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, drv: drv, m: m, now: t0, pushes: &pushLog{}}
	cfg.RateHz, cfg.Phases, cfg.Start, cfg.Pusher = rate, phases, t0, r.pushes
	if r.mod, err = nilm.New(m, cfg); err != nil {
		t.Fatal(err)
	}
	drv.SetTap(r.mod)
	schema, err := objects.NewSchema(m.Config())
	if err != nil {
		t.Fatal(err)
	}
	r.tree = objects.New(schema, m, objects.Config{})
	if err := r.tree.Add(r.mod.Objects()...); err != nil {
		t.Fatal(err)
	}
	return r
}

// run feeds and steps the meter for d, a second at a time.
func (r *rig) run(d time.Duration) {
	r.t.Helper()
	for end := r.now.Add(d); r.now.Before(end); {
		r.now = r.now.Add(time.Second)
		if r.now.After(end) {
			r.now = end
		}
		if err := r.drv.Advance(r.now, r.m.Connected()); err != nil {
			r.t.Fatal(err)
		}
		r.m.Step(r.now)
		r.mod.Step(r.now)
	}
}

var errRefused = errors.New("connection refused")

// pushLog is a Pusher that keeps what it is given; with refuseFirst it
// refuses every push of the first push's APDU.
type pushLog struct {
	mu          sync.Mutex
	refuseFirst bool
	got         [][]byte
	dsts        []push.Destination
}

func (p *pushLog) Push(dst push.Destination, apdu []byte, done func(error)) {
	p.mu.Lock()
	p.got = append(p.got, apdu)
	p.dsts = append(p.dsts, dst)
	fail := p.refuseFirst && bytes.Equal(apdu, p.got[0])
	p.mu.Unlock()
	if fail {
		done(errRefused)
		return
	}
	done(nil)
}

func (p *pushLog) sent() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.got...)
}
