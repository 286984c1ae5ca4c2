package wrapper

import (
	"fmt"
	"testing"
)

// apduSizes are a short GET request, a typical response and the
// 96-row load profile GET-Response of issue 4 (3,942 bytes).
var apduSizes = []int{13, 256, 3942}

func BenchmarkAppendFrame(b *testing.B) {
	for _, n := range apduSizes {
		b.Run(fmt.Sprintf("apdu=%d", n), func(b *testing.B) {
			f := Frame{Source: 16, Dest: 1, APDU: pattern(n)}
			buf := make([]byte, 0, HeaderLen+n)
			b.SetBytes(int64(HeaderLen + n))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = AppendFrame(buf[:0], f)
			}
		})
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	for _, n := range apduSizes {
		b.Run(fmt.Sprintf("apdu=%d", n), func(b *testing.B) {
			in, _ := AppendFrame(nil, Frame{Source: 16, Dest: 1, APDU: pattern(n)})
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := DecodeFrame(in, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReader measures the stream framer over a stream of back-to-back
// frames, as a head-end reading a busy connection sees it.
func BenchmarkReader(b *testing.B) {
	for _, n := range apduSizes {
		b.Run(fmt.Sprintf("apdu=%d", n), func(b *testing.B) {
			one, _ := AppendFrame(nil, Frame{Source: 16, Dest: 1, APDU: pattern(n)})
			src := &loopReader{frame: one}
			r := NewReader(src, 0)
			b.SetBytes(int64(len(one)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.ReadFrame(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// loopReader repeats one frame forever, in reads of up to 1,500 bytes (one
// TCP segment).
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
