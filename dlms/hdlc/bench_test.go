package hdlc

import (
	"context"
	"fmt"
	"net"
	"testing"
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
			r := NewReader(&loopReader{frame: one[1:]}) // the closing flag opens the next
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

// loopReader repeats a frame forever in reads of up to 1,500 bytes.
type loopReader struct {
	frame []byte
	off   int
}

func (l *loopReader) Read(p []byte) (int, error) {
	p = p[:min(len(p), 1500)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.frame[l.off:])
		n += c
		l.off = (l.off + c) % len(l.frame)
	}
	return n, nil
}

// BenchmarkRoundTrip sends an APDU to an echoing server over net.Pipe and
// reads the echo: segmentation, windowing, acknowledgements and both
// framers, per exchange.
func BenchmarkRoundTrip(b *testing.B) {
	for _, tc := range []struct{ apdu, info, window int }{
		{13, 128, 1}, {3942, 128, 1}, {3942, 128, 7}, {3942, 2030, 7},
	} {
		b.Run(fmt.Sprintf("apdu=%d/info=%d/window=%d", tc.apdu, tc.info, tc.window), func(b *testing.B) {
			cfg := Config{MaxInfoTransmit: tc.info, MaxInfoReceive: tc.info, WindowTransmit: tc.window, WindowReceive: tc.window}
			a, s := net.Pipe()
			defer a.Close()
			server, _ := NewServer(s, cfg)
			go func() {
				ctx := context.Background()
				for {
					apdu, err := server.ReadAPDU(ctx)
					if err != nil || server.WriteAPDU(ctx, apdu) != nil {
						s.Close()
						return
					}
				}
			}()
			client, err := Connect(context.Background(), a, cfg)
			if err != nil {
				b.Fatal(err)
			}
			req := pattern(tc.apdu)
			ctx := context.Background()
			b.SetBytes(int64(2 * tc.apdu))
			b.ReportAllocs()
			for b.Loop() {
				if err := client.WriteAPDU(ctx, req); err != nil {
					b.Fatal(err)
				}
				if _, err := client.ReadAPDU(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/apdu")
		})
	}
}
