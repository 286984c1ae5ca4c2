package dlms

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/security"
)

// The loopback scenario of `amigo bench dlms` (BENCHMARKS.md, "dlms"): a
// server over the test tree on 127.0.0.1 with the TCP wrapper, and the
// management client of ARCHITECTURE §4 (HLS-GMAC, suite 0, every APDU
// authenticated and encrypted) in the same process.

// seededReader is a deterministic source of HLS challenges, so that every
// run exchanges the same bytes.
type seededReader struct{ r *rand.ChaCha8 }

func (s seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }

// startLoopback starts the benchmark server and returns its address, a client
// configuration for it, and a stop function.
func startLoopback(b *testing.B) (string, ClientConfig, func()) {
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: cosemtest.DemoEncryptionKey, cosem.KeyAuthentication: cosemtest.DemoAuthenticationKey})
	tree, err := cosemtest.New(cosemtest.Options{Now: func() time.Time { return time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC) }, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := NewServer(ServerConfig{Listen: "127.0.0.1:0", Tree: tree, SystemTitle: cosemtest.DemoServerTitle,
		Clients: map[uint16]ClientPolicy{cosemtest.Management: {Mechanism: apdu.MechanismHighGMAC, Keys: keys}},
		Rand:    seededReader{rand.NewChaCha8([32]byte{1})}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	cfg := ClientConfig{Client: cosemtest.Management, Mechanism: apdu.MechanismHighGMAC, EncryptionKey: cosemtest.DemoEncryptionKey,
		AuthenticationKey: cosemtest.DemoAuthenticationKey, SystemTitle: cosemtest.DemoClientTitle, Rand: seededReader{rand.NewChaCha8([32]byte{2})}}
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
	cfg.Counters = security.NewMemoryCounters() // one head-end: counters go on across associations
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
