package metrology_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/amigo-ami/amigo/metrology"
)

// FuzzProcess feeds arbitrary waveforms to a two-phase core: the input's
// 16-bit words, repeated to fill a second, scaled by a power of two chosen
// by the first byte. Whatever the waveform, the core must not panic, every
// measurement must be finite, and the registers never go negative.
func FuzzProcess(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{7, 0x10, 0x27, 0xf0, 0xd8, 0, 0, 0xff, 0x7f})
	f.Add([]byte{30, 0xff, 0x7f, 0x00, 0x80})
	f.Add([]byte{12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		scale := math.Ldexp(1, int(data[0]%40)-20)
		words := data[1:]
		const rate = 3200
		frames := make([]float64, 4*rate)
		for k := range frames {
			j := 2 * (k % (len(words) / 2))
			frames[k] = scale * float64(int16(binary.LittleEndian.Uint16(words[j:])))
		}
		core, err := metrology.New(metrology.Config{Rate: rate, Phases: [3]bool{true, false, true}, OnWindow: func(m metrology.Measurement) {
			for p := range 3 {
				v := m.Phases[p]
				for _, x := range []float64{v.U, v.I, v.P, v.Q1, v.QB, v.S, v.PF, v.THDU, m.Frequency} {
					if math.IsNaN(x) || math.IsInf(x, 0) {
						t.Fatalf("window %d phase %d: non-finite value in %+v", m.Seq, p, v)
					}
				}
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := core.Process(frames); err != nil {
			return // out of range for the registers: refused, not a crash
		}
		if err := core.Finish(); err != nil {
			return
		}
		r := core.View().Registers()
		for _, e := range append([]metrology.Energy{r.ActiveImport, r.ActiveExport, r.ApparentImport, r.ApparentExport}, r.Reactive[:]...) {
			if e < 0 {
				t.Fatalf("negative register in %+v", r)
			}
		}
	})
}
