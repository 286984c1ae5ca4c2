package linktest

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
)

// APDUConn is what both transports' Conns offer.
type APDUConn interface {
	WriteAPDU(ctx context.Context, apdu []byte) error
	ReadAPDU(ctx context.Context) ([]byte, error)
}

// Pattern returns n bytes that differ from their neighbours and do not
// repeat with a short period.
func Pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// Reversed returns a reversed copy of b: the echo servers' answer, so that
// a response can never be mistaken for its request.
func Reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, x := range b {
		r[len(b)-1-i] = x
	}
	return r
}

// Echo serves server until it fails, answering every APDU with the bytes
// reversed; an error for which goOn is true is passed over. The channel
// reports the error that ended the loop.
func Echo(server APDUConn, goOn func(error) bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx := context.Background()
		for {
			apdu, err := server.ReadAPDU(ctx)
			if err != nil && goOn != nil && goOn(err) {
				continue
			}
			if err != nil {
				done <- err
				return
			}
			if err := server.WriteAPDU(ctx, Reversed(apdu)); err != nil {
				done <- fmt.Errorf("write: %w", err)
				return
			}
		}
	}()
	return done
}

// Exchange sends a Pattern APDU of each size through client and checks that
// the echo comes back.
func Exchange(t testing.TB, client APDUConn, sizes ...int) {
	t.Helper()
	ctx := context.Background()
	for _, n := range sizes {
		req := Pattern(n)
		if err := client.WriteAPDU(ctx, req); err != nil {
			t.Fatalf("WriteAPDU(%d bytes): %v", n, err)
		}
		resp, err := client.ReadAPDU(ctx)
		if err != nil {
			t.Fatalf("ReadAPDU after %d bytes: %v", n, err)
		}
		if !bytes.Equal(resp, Reversed(req)) {
			t.Fatalf("response to %d bytes: got %d bytes, not the request reversed", n, len(resp))
		}
	}
}

// PlainPipe is one end of a duplex stream without deadlines, as a serial
// line driver may give.
type PlainPipe struct {
	io.Reader
	io.Writer
	closers []io.Closer
}

// Close closes both directions.
func (p PlainPipe) Close() error {
	for _, c := range p.closers {
		c.Close()
	}
	return nil
}

// PlainPair returns the two ends of a duplex stream without deadlines.
func PlainPair() (a, b PlainPipe) {
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	return PlainPipe{ar, aw, []io.Closer{ar, aw}}, PlainPipe{br, bw, []io.Closer{br, bw}}
}

// LoopReader repeats Data forever, in reads of up to 1,500 bytes (one
// TCP segment): a busy connection for framer benchmarks.
type LoopReader struct {
	Data []byte
	off  int
}

func (l *LoopReader) Read(p []byte) (int, error) {
	p = p[:min(len(p), 1500)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.Data[l.off:])
		n += c
		l.off = (l.off + c) % len(l.Data)
	}
	return n, nil
}

// Unhex decodes hex with any white space in it.
func Unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchRoundTrip measures client sending a Pattern APDU of n bytes to an
// echoing server and reading the echo, reporting ns/apdu (per exchange).
func BenchRoundTrip(b *testing.B, client APDUConn, n int) {
	req := Pattern(n)
	ctx := context.Background()
	b.SetBytes(int64(2 * n))
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
}
