package dlms_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// exchange writes one APDU and reads the answer.
func exchange(t *testing.T, ctx context.Context, end *pipeEnd, pdu []byte) []byte {
	t.Helper()
	if err := end.WriteAPDU(ctx, pdu); err != nil {
		t.Fatal(err)
	}
	resp, err := end.ReadAPDU(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestServerSurvivesGarbage sends random APDUs before and inside an
// association: each is answered (an ExceptionResponse, or an AARE refusing
// a mangled AARQ), and the association still works afterwards.
func TestServerSurvivesGarbage(t *testing.T) {
	e := newEnv(t)
	end, _ := e.connect(cosemtest.Reader)
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := func() []byte {
		b := make([]byte, 1+rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		// Start some with real tags, so that the decoders behind them run.
		tags := []byte{0x60, 0x62, 0xC0, 0xC1, 0xC3, 0xC8, 0xDB, 0x01, 0xFF}
		if rng.IntN(2) == 0 {
			b[0] = tags[rng.IntN(len(tags))]
		}
		return b
	}
	c, err := dlms.NewClient(end, e.clientConfig(cosemtest.Reader))
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		for range 200 {
			resp := exchange(t, e.ctx, end, garbage())
			if len(resp) == 0 || (resp[0] != apdu.TagExceptionResponse && resp[0] != apdu.TagAARE && resp[0] != apdu.TagRLRE) {
				t.Fatalf("garbage answered with % X", resp)
			}
		}
		// Garbage may have released or replaced the association: start
		// a fresh one and use it.
		if err := c.Associate(e.ctx); err != nil {
			t.Fatalf("round %d: associate after garbage: %v", round, err)
		}
		if _, err := c.Get(e.ctx, cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}, nil); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if s := e.srv.Stats(); s.Exceptions == 0 {
		t.Error("no exception responses counted")
	}
}

// TestServerDropsAStalledClient: a client that sends nothing is dropped
// after the inactivity timeout (under synctest's fake clock).
func TestServerDropsAStalledClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(c *dlms.ServerConfig) { c.InactivityTimeout = 30 * time.Second })
		e.ctx = context.Background()
		c, s := pipe(cosemtest.Public)
		defer c.Close()
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- e.srv.ServeConn(e.ctx, s) }()
		err := <-done
		if !errors.Is(err, dlms.ErrInactive) {
			t.Errorf("ServeConn: %v, want ErrInactive", err)
		}
		if waited := time.Since(start); waited != 30*time.Second {
			t.Errorf("dropped after %v, want 30s", waited)
		}
		e.srv.Close()
	})
}

// TestServerSurvivesDisconnectMidBlock: clients that vanish in the middle
// of a long GET and of a long SET leave the server serving others.
func TestServerSurvivesDisconnectMidBlock(t *testing.T) {
	e := newEnv(t, func(c *dlms.ServerConfig) { c.MaxPDU = 128 })
	cfg := e.clientConfig(cosemtest.Management)
	cfg.MaxPDU = 128
	for _, mid := range []string{"get", "set"} {
		end, done := e.connect(cosemtest.Management)
		// Reads: the AARE, the answer to HLS pass 3, the first block.
		c, err := dlms.NewClient(&cutAfter{pipeEnd: end, after: 3}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Associate(e.ctx); err != nil {
			t.Fatal(err)
		}
		switch mid {
		case "get":
			_, err = c.Get(e.ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: cosemtest.LoadProfile, ID: 2}, nil)
		case "set":
			err = c.Set(e.ctx, cosem.Ref{Class: cosem.ClassData, Name: cosemtest.Buffer, ID: 2}, []axdr.Value{axdr.OctetString(make([]byte, 3000))})
		}
		if err == nil {
			t.Fatalf("%s completed despite the disconnect", mid)
		}
		if err := <-done; err == nil {
			t.Errorf("%s: ServeConn ended without error", mid)
		}
	}
	c := e.client(cosemtest.Reader, func(c *dlms.ClientConfig) { c.MaxPDU = 128 })
	v, err := c.Get(e.ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: cosemtest.LoadProfile, ID: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, v, 0, 300)
}

// cutAfter closes the connection once it has read after APDUs.
type cutAfter struct {
	*pipeEnd
	after, reads int
}

func (c *cutAfter) ReadAPDU(ctx context.Context) ([]byte, error) {
	b, err := c.pipeEnd.ReadAPDU(ctx)
	if c.reads++; c.reads == c.after {
		c.pipeEnd.Close()
	}
	return b, err
}

// TestOverTCP runs every client level against the server's TCP listener,
// with the wrapper and with HDLC, including a profile read in blocks (and,
// under HDLC, in segments).
func TestOverTCP(t *testing.T) {
	for _, hdlc := range []bool{false, true} {
		t.Run(map[bool]string{false: "wrapper", true: "hdlc"}[hdlc], func(t *testing.T) {
			e := newEnv(t, func(c *dlms.ServerConfig) { c.HDLC = hdlc })
			e.serveTCP()
			for _, lv := range levels {
				t.Run(lv.name, func(t *testing.T) {
					cfg := e.clientConfig(lv.sap)
					cfg.MaxPDU, cfg.HDLC = 256, hdlc
					c, err := dlms.Dial(e.ctx, e.srv.Addr().String(), cfg)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if err := c.Associate(e.ctx); err != nil {
						t.Fatal(err)
					}
					v, err := c.Get(e.ctx, cosem.Ref{Class: cosem.ClassClock, Name: cosemtest.Clock, ID: 2}, nil)
					if err != nil || len(v) != 1 || len(v[0].Bytes) != 12 {
						t.Fatalf("clock: %v, %v", v, err)
					}
					if lv.sap != cosemtest.Public {
						v, err := c.Get(e.ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: cosemtest.LoadProfile, ID: 2}, nil)
						if err != nil {
							t.Fatal(err)
						}
						checkRows(t, v, 0, 300)
						big := make([]byte, 2000)
						if err := c.Set(e.ctx, cosem.Ref{Class: cosem.ClassData, Name: cosemtest.Buffer, ID: 2}, []axdr.Value{axdr.OctetString(big)}); dataAccess(err) != int(apdu.ReadWriteDenied) && lv.sap == cosemtest.Reader {
							t.Errorf("reader SET: %v", err)
						} else if lv.sap == cosemtest.Management && err != nil {
							t.Errorf("management SET: %v", err)
						}
					}
					if err := c.Release(e.ctx); err != nil {
						t.Fatal(err)
					}
				})
			}
		})
	}
}

// TestTCPGarbageClosesOnlyThatConnection: bytes that are not wrapper frames
// end their connection; the server goes on serving.
func TestTCPGarbageClosesOnlyThatConnection(t *testing.T) {
	e := newEnv(t)
	e.serveTCP()
	nc, err := net.Dial("tcp", e.srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte(strings.Repeat("GET / HTTP/1.0\r\n", 4))); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := nc.Read(buf); err == nil {
		t.Fatalf("garbage answered with % X", buf[:n])
	}
	c, err := dlms.Dial(e.ctx, e.srv.Addr().String(), e.clientConfig(cosemtest.Public))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Associate(e.ctx); err != nil {
		t.Fatal(err)
	}
}
