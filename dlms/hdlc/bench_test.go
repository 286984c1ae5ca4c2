package hdlc

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// infoSizes are the default information field length and the largest.
var infoSizes = []int{128, MaxMaxInfo}

func benchFrame(n int) Frame {
	return Frame{Kind: KindI, NS: 3, NR: 5, PF: true, Segmented: true,
		Dest: Address{Upper: 1, Lower: 0x11, Size: 4}, Src: ClientAddress(16), Info: pattern(n)}
}

func BenchmarkAppendFrame(b *testing.B) {
	for _, n := range infoSizes {
		b.Run(fmt.Sprintf("info=%d", n), func(b *testing.B) {
			f := benchFrame(n)
			buf, _ := AppendFrame(nil, f)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = AppendFrame(buf[:0], f)
			}
		})
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	for _, n := range infoSizes {
		b.Run(fmt.Sprintf("info=%d", n), func(b *testing.B) {
			in, _ := AppendFrame(nil, benchFrame(n))
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeFrame(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReader measures the stream framer over back-to-back frames
// sharing their flags.
func BenchmarkReader(b *testing.B) {
	for _, n := range infoSizes {
		b.Run(fmt.Sprintf("info=%d", n), func(b *testing.B) {
			one, _ := AppendFrame(nil, benchFrame(n))
			r := NewReader(&linktest.LoopReader{Data: one[1:]}) // the closing flag opens the next
			b.SetBytes(int64(len(one) - 1))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.ReadFrame(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRoundTrip sends an APDU to an echoing server over net.Pipe and
// reads the echo: segmentation, windowing, acknowledgements and both
// framers, per exchange. (net.Pipe allocates a timer for each deadline it
// is given; those are the allocations reported.)
func BenchmarkRoundTrip(b *testing.B) {
	for _, tc := range []struct{ apdu, info, window int }{
		{13, 128, 1}, {3942, 128, 1}, {3942, 128, 7}, {3942, 2030, 7},
	} {
		b.Run(fmt.Sprintf("apdu=%d/info=%d/window=%d", tc.apdu, tc.info, tc.window), func(b *testing.B) {
			cfg := Config{MaxInfoTransmit: tc.info, MaxInfoReceive: tc.info, WindowTransmit: tc.window, WindowReceive: tc.window}
			a, s := net.Pipe()
			defer a.Close()
			server, _ := NewServer(s, cfg)
			linktest.Echo(server, nil)
			client, err := Connect(context.Background(), a, cfg)
			if err != nil {
				b.Fatal(err)
			}
			linktest.BenchRoundTrip(b, client, tc.apdu)
		})
	}
}
