package nilm_test

import (
	"testing"

	"github.com/amigo-ami/amigo/meter/module/nilm"
)

// BenchmarkSamples measures the module's sample path alone (detection,
// classification, logging) on the held-out PLAID households at 8 kHz,
// single phase, in the driver's chunks of 4096 frames: meter-s/cpu-s is
// seconds of waveform per second of one core, what a simulator pays per
// waveform-mode meter on top of the metrology core.
//
//	go test -run '^$' -bench Samples -count 6 ./meter/module/nilm
func BenchmarkSamples(b *testing.B) {
	k := kit(b, 0)
	frames, _, n, err := k.Home(4, 1, 1, 1)
	if err != nil {
		b.Fatal(err)
	}
	r := newRig(b, frames, [3]bool{true}, nilm.Config{Library: library(b, k, 1), PublicKey: &k.Key.PublicKey})
	const chunk = 4096
	var fed int64
	b.ReportAllocs()
	for b.Loop() {
		at := fed % n
		end := min(at+chunk, n)
		r.mod.Samples(fed, frames[2*at:2*end])
		fed += end - at
	}
	b.ReportMetric(float64(fed)/rate/b.Elapsed().Seconds(), "meter-s/cpu-s")
}
