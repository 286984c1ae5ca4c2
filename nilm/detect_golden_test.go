package nilm

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"testing"
)

// busyStream is 9 s at 8 kHz and 50.3 Hz: overlapping loads with and
// without inrush, a load that flickers every three cycles (it never
// settles, so detection gives up on the transient), a 0.1 s gap in the
// samples and half a second without voltage (both make detection start over).
func busyStream() (v, i []float64) {
	const rate, f = 8000.0, 50.3
	resistive := func(th float64) float64 { return math.Sqrt2 * 4 * math.Sin(th) }
	rectifier := func(th float64) float64 {
		return math.Sqrt2 * (1.5*math.Sin(th+0.2) + 1.1*math.Sin(3*th+2) + 0.7*math.Sin(5*th+1) + 0.4*math.Sin(7*th))
	}
	loads := []load{
		{on: 0.5, off: 6.2, i: motor, inrush: 3},
		{on: 1.5, off: 3.2, i: resistive},
		{on: 2.3, off: 3.8, i: rectifier, inrush: 1},
		{on: 7.7, off: 8.6, i: resistive},
	}
	for k := range 6 { // 4.3 s to 5.0 s: on 3 cycles, off 3 cycles
		on := 4.3 + float64(k)*6/f
		loads = append(loads, load{on: on, off: on + 3/f, i: resistive})
	}
	v, i = stream(rate, f, 9, loads, 0.02, 7)
	gap, flat := int(5.6*rate), int(6.9*rate)
	for k := flat; k < flat+rate/2; k++ {
		v[k] = 0
	}
	v = append(v[:gap], v[gap+rate/10:]...)
	i = append(i[:gap], i[gap+rate/10:]...)
	return v, i
}

// eventsDigest is the SHA-256 of every field of every event, floats by
// their bits, so that any change to what the detector reports shows.
func eventsDigest(evs []Event) string {
	h := sha256.New()
	var b []byte
	f := func(x float64) { b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x)) }
	for _, e := range evs {
		b = binary.LittleEndian.AppendUint64(b, uint64(e.Cycle))
		b = binary.LittleEndian.AppendUint64(b, uint64(e.Sample))
		if e.On {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		for _, x := range e.Voltage {
			f(x)
		}
		for _, x := range e.Current {
			f(x)
		}
		f(e.DeltaP)
		f(e.DeltaQ1)
		f(e.DeltaIRMS)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.Transient.Cycles))
		f(e.Transient.PeakRatio)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// TestDetectorEventsGolden pins the detector's output bit for bit on a
// busy stream, for the default configuration and one that gives up on
// transients after 20 cycles and resamples to 128 points. The digests
// were taken before the detector reused its cycle buffers.
func TestDetectorEventsGolden(t *testing.T) {
	v, i := busyStream()
	cases := []struct {
		cfg   DetectorConfig
		chunk int
		count int
		want  string
	}{
		{DetectorConfig{RateHz: 8000}, len(v), 8, "a72ff37df16214c13d56a60b1cdb04965569d97cf5c99da7fb3bda5a0946cbe0"},
		{DetectorConfig{RateHz: 8000}, 997, 8, "a72ff37df16214c13d56a60b1cdb04965569d97cf5c99da7fb3bda5a0946cbe0"},
		{DetectorConfig{RateHz: 8000}, 7, 8, "a72ff37df16214c13d56a60b1cdb04965569d97cf5c99da7fb3bda5a0946cbe0"},
		{DetectorConfig{RateHz: 8000, Points: 128, MaxTransient: 20, Before: 3}, 800, 8, "ab3d5dc09c9df5c87db6238cf04b143287c6f34cbe316e8fa09b8c7077184057"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("points=%d/transient=%d/chunk=%d", c.cfg.Points, c.cfg.MaxTransient, c.chunk), func(t *testing.T) {
			evs := detectAll(t, c.cfg, v, i, c.chunk)
			if got := eventsDigest(evs); len(evs) != c.count || got != c.want {
				t.Errorf("%d events, digest %s; want %d, %s", len(evs), got, c.count, c.want)
			}
		})
	}
}

// TestDetectorAllocatesOnlyEvents: once its buffers have grown, the
// detector allocates nothing per cycle; each event allocates its own
// voltage and current cycle and nothing else.
func TestDetectorAllocatesOnlyEvents(t *testing.T) {
	v, i := busyStream()
	d, err := NewDetector(DetectorConfig{RateHz: 8000})
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	emit := func(Event) { events++ }
	pushAll := func() {
		events = 0
		for k := 0; k < len(v); k += 997 {
			end := min(k+997, len(v))
			if err := d.Push(v[k:end], i[k:end], emit); err != nil {
				t.Fatal(err)
			}
		}
	}
	pushAll() // every path once: the buffers reach their size
	if got := testing.AllocsPerRun(1, pushAll); got != 2*8 || events != 8 {
		t.Errorf("%v allocations for %d events in a second pass over the stream, want 2 per event and 8 events", got, events)
	}
	// From 0.8 s to 1.4 s only the motor runs, its inrush over.
	steady := func() {
		if err := d.Push(v[6400:11200], i[6400:11200], emit); err != nil {
			t.Fatal(err)
		}
	}
	if got := testing.AllocsPerRun(5, steady); got != 0 {
		t.Errorf("%v allocations per steady 0.6 s, want 0", got)
	}
}
