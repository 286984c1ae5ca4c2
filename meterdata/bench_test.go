package meterdata

import (
	"testing"

	"github.com/amigo-ami/amigo/store"
)

// dayOfFourChannels is one meter's day of 15-minute profile: 4 × 96
// readings, as a head-end publishes after a daily profile read.
func dayOfFourChannels() Readings {
	var rs []store.Reading
	for _, ch := range []store.Channel{store.ActiveImport, store.ActiveExport, store.ReactiveImport, store.ReactiveExport} {
		rs = append(rs, profile(ch, 96, t0, 1_000_000)...)
	}
	return Readings{Meter: 7, Collected: t0 + 86_400_000, Source: SourceProfile, Readings: rs}
}

func BenchmarkReadings(b *testing.B) {
	m := dayOfFourChannels()
	buf, err := m.Append(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("op=encode", func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]byte, 0, 2*len(buf))
		for b.Loop() {
			if dst, err = m.Append(dst[:0]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(buf))/float64(len(m.Readings)), "B/reading")
		b.ReportMetric(float64(b.N)*float64(len(m.Readings))/b.Elapsed().Seconds(), "readings/s")
	})
	b.Run("op=decode", func(b *testing.B) {
		b.ReportAllocs()
		var out Readings
		for b.Loop() {
			if err := DecodeReadings(buf, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)*float64(len(m.Readings))/b.Elapsed().Seconds(), "readings/s")
	})
}
