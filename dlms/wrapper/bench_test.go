package wrapper

import (
	"fmt"
	"net"
	"testing"

	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// apduSizes are a short GET request, a typical response and the
// 96-row load profile GET-Response of issue 4 (3,942 bytes).
var apduSizes = []int{13, 256, 3942}

func BenchmarkAppendFrame(b *testing.B) {
	for _, n := range apduSizes {
		b.Run(fmt.Sprintf("apdu=%d", n), func(b *testing.B) {
			f := Frame{Source: 16, Dest: 1, APDU: linktest.Pattern(n)}
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
			in, _ := AppendFrame(nil, Frame{Source: 16, Dest: 1, APDU: linktest.Pattern(n)})
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
			one, _ := AppendFrame(nil, Frame{Source: 16, Dest: 1, APDU: linktest.Pattern(n)})
			src := &linktest.LoopReader{Data: one}
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

// BenchmarkRoundTrip sends an APDU to an echoing server over net.Pipe and
// reads the echo. (net.Pipe allocates a timer for each deadline it is
// given; those are the allocations reported.)
func BenchmarkRoundTrip(b *testing.B) {
	for _, n := range apduSizes {
		b.Run(fmt.Sprintf("apdu=%d", n), func(b *testing.B) {
			a, s := net.Pipe()
			defer a.Close()
			server, _ := NewServer(s, Config{})
			linktest.Echo(server, nil)
			client, _ := NewClient(a, Config{})
			linktest.BenchRoundTrip(b, client, n)
		})
	}
}
