package nilm

import (
	"bytes"
	"crypto/rand"
	"math"
	"testing"
)

// FuzzDecodeLibrary: the body decoder, reached only after the signature
// verifies, still never panics; what it accepts encodes back to the same
// bytes.
func FuzzDecodeLibrary(f *testing.F) {
	c := trainClusters(f, 1, 6)
	f.Add(c.encode())
	f.Add((&Classifier{version: 1, split: DefaultSplit(), confidence: 0.5, labels: []string{"a"}}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeUnsigned(b)
		if err != nil {
			return
		}
		if again := d.encode(); !bytes.Equal(again, b) {
			t.Fatalf("decode/encode changed %x into %x", b, again)
		}
	})
}

// FuzzLoad: whatever the bytes, Load returns an error or a classifier
// without panicking, and accepts nothing the key did not sign.
func FuzzLoad(f *testing.F) {
	key := testKey(f)
	c := trainClusters(f, 2, 6)
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(lib)
	f.Add(lib[:headerLen])
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Load(b, &key.PublicKey)
		if err == nil && !bytes.HasPrefix(b, got.encode()) {
			t.Fatalf("Load accepted bytes whose signed part is not the library it returned")
		}
	})
}

// FuzzDetectorPush drives the detector with a clean 50 Hz voltage and a
// current whose level and phase change every cycle as the bytes say, under
// small Before, Debounce and MaxTransient: it never panics, reports the
// same events whatever the chunk size, and an event keeps its cycles
// after the detector has reused its buffers. Seeds (testdata): a load
// switched on and off; a flicker that outlasts MaxTransient.
func FuzzDetectorPush(f *testing.F) {
	f.Fuzz(func(t *testing.T, levels []byte, before, debounce, transient uint8, chunk uint16) {
		const rate, points = 3200.0, 64
		if len(levels) > 500 {
			levels = levels[:500]
		}
		cfg := DetectorConfig{RateHz: rate, Before: 1 + int(before%12), Debounce: 1 + int(debounce%12),
			MaxTransient: 1 + int(transient%40)}
		v, i := make([]float64, 0, len(levels)*points), make([]float64, 0, len(levels)*points)
		for _, b := range levels {
			amp, phase := float64(b>>2)/4, float64(b&3)*math.Pi/4
			for k := range points {
				th := 2 * math.Pi * (float64(k) + 0.5) / points
				v = append(v, math.Sqrt2*230*math.Sin(th))
				i = append(i, math.Sqrt2*amp*math.Sin(th-phase))
			}
		}
		whole := detectAll(t, cfg, v, i, max(len(v), 1))
		kept := make([]Event, len(whole))
		for k, e := range whole {
			kept[k] = e
			kept[k].Voltage = append([]float64(nil), e.Voltage...)
			kept[k].Current = append([]float64(nil), e.Current...)
		}
		chunked := detectAll(t, cfg, v, i, 1+int(chunk))
		for _, e := range whole {
			if len(e.Voltage) != points || len(e.Current) != points {
				t.Fatalf("event of %d, %d points, want %d", len(e.Voltage), len(e.Current), points)
			}
		}
		if eventsDigest(whole) != eventsDigest(kept) {
			t.Fatal("an event's cycles changed after it was emitted")
		}
		if eventsDigest(whole) != eventsDigest(chunked) {
			t.Fatalf("%d events in one push, %d in chunks of %d: they differ", len(whole), len(chunked), 1+int(chunk))
		}
	})
}
