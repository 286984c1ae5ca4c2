package dlms

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
)

// The loopback scenario of `amigo bench dlms` (BENCHMARKS.md, "dlms"): a
// server over the test tree on 127.0.0.1 with the TCP wrapper, and the
// management client of ARCHITECTURE §4 (HLS-GMAC, suite 0, every APDU
// authenticated and encrypted) in the same process.

var (
	benchEK    = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}
	benchAK    = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
	benchTitle = []byte{0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01}
)

// seededReader is a deterministic source of HLS challenges, so that every
// run exchanges the same bytes.
type seededReader struct{ r *rand.ChaCha8 }

func (s seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }

// startLoopback starts the benchmark server and returns its address, a client
// configuration for it, and a stop function.
func startLoopback(b *testing.B) (string, ClientConfig, func()) {
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: benchEK, cosem.KeyAuthentication: benchAK})
	tree, err := cosemtest.New(cosemtest.Options{Now: func() time.Time { return time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC) }, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := NewServer(ServerConfig{Listen: "127.0.0.1:0", Tree: tree, SystemTitle: []byte("AMG\x00\x00\x00\x00\x01"),
		Clients: map[uint16]ClientPolicy{cosemtest.Management: {Mechanism: MechanismHighGMAC, Keys: keys}},
		Rand:    seededReader{rand.NewChaCha8([32]byte{1})}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	cfg := ClientConfig{Client: cosemtest.Management, Mechanism: MechanismHighGMAC, EncryptionKey: benchEK,
		AuthenticationKey: benchAK, SystemTitle: benchTitle, Rand: seededReader{rand.NewChaCha8([32]byte{2})}}
	return srv.Addr().String(), cfg, func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

// BenchmarkLoopbackAssociate measures whole HLS-GMAC associations over
// loopback TCP: connect, AARQ/AARE, HLS passes 3 and 4, RLRQ/RLRE, close.
// Reports associations/s.
func BenchmarkLoopbackAssociate(b *testing.B) {
	addr, cfg, stop := startLoopback(b)
	defer stop()
	cfg.Counters = NewMemoryCounters() // one head-end: counters go on across associations
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := Dial(ctx, addr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Associate(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.Release(ctx); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "associations/s")
}

// BenchmarkLoopbackRead measures ciphered GETs of a register on one
// HLS-GMAC association over loopback TCP: protect, send, serve, protect the
// answer, receive, open, decode. Reports reads/s.
func BenchmarkLoopbackRead(b *testing.B) {
	addr, cfg, stop := startLoopback(b)
	defer stop()
	ctx := context.Background()
	c, err := Dial(ctx, addr, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Associate(ctx); err != nil {
		b.Fatal(err)
	}
	energy := cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, energy, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}
