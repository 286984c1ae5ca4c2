package nilm

import (
	"math"

	"github.com/amigo-ami/amigo/dlms/axdr"
	nilmcore "github.com/amigo-ami/amigo/nilm"
)

// tap is the module's end of the sample path: one event detector per
// wired phase over the frames the metrology driver hands on.
type tap struct {
	mod    *Module
	phases []int // wired phase indexes, in frame order
	det    []*nilmcore.Detector
	base   int64 // frame index of the detectors' first sample
	next   int64 // frame index expected next; -1 when the detectors must start over
	v, i   []float64
	found  []found
}

// found is an event a detector emitted during one Samples call.
type found struct {
	phase int
	ev    nilmcore.Event
}

func (t *tap) init(mod *Module) {
	t.mod, t.next = mod, -1
	for p, wired := range mod.cfg.Phases {
		if wired {
			t.phases = append(t.phases, p)
		}
	}
	t.det = make([]*nilmcore.Detector, len(t.phases))
}

// restart gives every phase a fresh detector whose sample 0 is frame
// first: the stream was interrupted (a restart, a skipped span) or
// carried a sample the detector refused.
func (t *tap) restart(first int64) {
	for k := range t.det {
		t.det[k], _ = nilmcore.NewDetector(t.mod.cfg.Detector) // validated by Config.fill
	}
	t.base, t.next = first, first
}

// Samples is the metrology driver's tap (meter/feed.Tap): frames first,
// first+1, … of u, i per wired phase. It detects and classifies the
// appliance events in them and records each in the log, the appliance
// table and the push queue.
func (mod *Module) Samples(first int64, frames []float64) {
	t := &mod.tap
	width := 2 * len(t.phases)
	n := len(frames) / width
	if first != t.next {
		t.restart(first)
	}
	for k, p := range t.phases {
		t.v, t.i = t.v[:0], t.i[:0]
		for f := range n {
			t.v = append(t.v, frames[f*width+2*k])
			t.i = append(t.i, frames[f*width+2*k+1])
		}
		err := t.det[k].Push(t.v, t.i, func(ev nilmcore.Event) { t.found = append(t.found, found{p, ev}) })
		if err != nil {
			mod.log.Debug("detectors start over", "phase", p+1, "err", err)
			t.next = -1
		}
	}
	if t.next >= 0 {
		t.next = first + int64(n)
	}
	for _, f := range t.found {
		mod.record(f.phase, &f.ev, t.base+f.ev.Sample)
	}
	clear(t.found) // the events' cycles are the detector's copies: let them go
	t.found = t.found[:0]
}

// record classifies one detected event and files it.
func (mod *Module) record(phase int, ev *nilmcore.Event, frame int64) {
	res := nilmcore.Result{Label: nilmcore.Unknown, State: ev.State(), Distance: math.Inf(1)}
	if c := mod.active.Classifier(); c != nil {
		if r, err := c.Classify(ev); err != nil {
			mod.log.Debug("event not classified", "err", err)
		} else {
			res = r
		}
	}
	e := Event{At: mod.timeOf(frame), Sample: frame, Phase: phase + 1, Label: res.Label, On: ev.On,
		DeltaW: ev.DeltaP, Distance: res.Distance, Confidence: res.Confidence}
	meterAt := mod.m.MeterTime(e.At)
	stamp := mod.m.DateTimeOf(meterAt)

	mod.mu.Lock()
	e.Appliance = mod.ids[e.Label]
	mod.tracker.Observe(mod.seconds(e.At), res, math.Abs(e.DeltaW))
	if len(mod.events) == mod.cfg.LogCapacity {
		mod.events = append(mod.events[:0], mod.events[1:]...)
	}
	mod.events = append(mod.events, e)
	row := append([]axdr.Value{axdr.OctetString(stamp.Append(nil))}, eventValues(&e)...)
	if err := mod.buffer.Capture(row...); err != nil {
		mod.log.Error("event log capture", "err", err) // a programming error: the row matches logColumns
	}
	mod.mu.Unlock()

	if mod.pusher != nil {
		if err := mod.pusher.trigger(mod.m, meterAt, stamp, &e); err != nil {
			mod.log.Warn("appliance event push not encoded", "err", err)
		}
	}
}
