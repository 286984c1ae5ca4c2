package hdlc

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// clientUnderTest connects a client through a scripted server that answers
// the SNRM with ua, or with a UA stating the default parameters when ua is
// nil.
func clientUnderTest(t *testing.T, cfg Config, ua []byte) (*Conn, *scriptedPeer) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	peer := newScriptedServer(b)
	peer.src = cfg.Server
	connected := make(chan *Conn, 1)
	go func() {
		c, err := Connect(context.Background(), a, cfg)
		if err != nil {
			t.Error(err)
		}
		connected <- c
	}()
	if f, err := peer.rd.ReadFrame(); err != nil || f.Kind != KindSNRM {
		t.Fatalf("first frame %v, %v; want SNRM", f, err)
	}
	if ua == nil {
		peer.send(t, Frame{Kind: KindUA, PF: true, Info: AppendParams(nil, DefaultParams())})
	} else {
		peer.sendRaw(t, ua)
	}
	c := <-connected
	if c == nil {
		t.FailNow()
	}
	return c, peer
}

func TestClientSendsKmethySNRM(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 64)
		n, _ := b.Read(buf)
		got <- buf[:n]
		b.Write(unhex(t, kmethyUA))
	}()
	c, err := Connect(context.Background(), a, Config{Server: kmethyServer})
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, kmethySNRM); !bytes.Equal(<-got, want) {
		t.Errorf("SNRM differs from the DLMS UA example's % X", want)
	}
	if c.Params() != DefaultParams() {
		t.Errorf("agreed %+v after the example's UA, want the defaults", c.Params())
	}
}

func TestClientProposesParameters(t *testing.T) {
	cfg := Config{Server: Address{Upper: 1}, MaxInfoTransmit: 512, MaxInfoReceive: 1024, WindowTransmit: 7, WindowReceive: 3}
	a, b := net.Pipe()
	defer a.Close()
	peer := newScriptedServer(b)
	go Connect(context.Background(), a, cfg)
	snrm := peer.expect(t, "SNRM 16→1 P/F info=23B")
	p, err := DecodeParams(snrm.Info)
	if want := (Params{512, 1024, 7, 3}); err != nil || p != want {
		t.Errorf("SNRM proposes %+v, %v; want %+v", p, err, want)
	}
}

func TestClientAppliesUA(t *testing.T) {
	// The server grants 256 bytes its way and 64 ours, window 2 both ways.
	ua, _ := AppendFrame(nil, Frame{Kind: KindUA, PF: true, Dest: ClientAddress(16), Src: Address{Upper: 1},
		Info: AppendParams(nil, Params{MaxInfoTransmit: 256, MaxInfoReceive: 64, WindowTransmit: 2, WindowReceive: 2})})
	c, _ := clientUnderTest(t, Config{Server: Address{Upper: 1}, MaxInfoTransmit: 512, MaxInfoReceive: 512, WindowTransmit: 7, WindowReceive: 7},
		ua)
	if want := (Params{MaxInfoTransmit: 64, MaxInfoReceive: 256, WindowTransmit: 2, WindowReceive: 2}); c.Params() != want {
		t.Errorf("agreed %+v, want %+v", c.Params(), want)
	}
}

func TestConnectRefused(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	peer := newScriptedServer(b)
	go func() {
		peer.expect(t, "SNRM 16→1 P/F")
		peer.send(t, Frame{Kind: KindDM, PF: true})
	}()
	if _, err := Connect(context.Background(), a, Config{}); !errors.Is(err, ErrRefused) {
		t.Errorf("Connect answered with DM: error = %v, want ErrRefused", err)
	}
}

func TestClientLearnsOfDisconnection(t *testing.T) {
	tests := []struct {
		name  string
		reply Frame
		want  error
	}{
		{"DM", Frame{Kind: KindDM, PF: true}, ErrDisconnected},
		{"FRMR", Frame{Kind: KindFRMR, PF: true, Info: []byte{0x10, 0x00, RejectUndefinedControl}}, ErrFrameRejected},
		{"N(R) of a frame never sent", Frame{Kind: KindI, NR: 5, PF: true, Info: []byte{0xE6, 0xE7, 0x00, 1}}, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := clientUnderTest(t, Config{Server: Address{Upper: 1}}, nil)
			written := make(chan error, 1)
			go func() { written <- c.WriteAPDU(context.Background(), []byte{0xC0}) }()
			peer.expect(t, "I 16→1 N(S)=0 N(R)=0 P/F info=4B")
			if err := <-written; err != nil {
				t.Fatal(err)
			}
			peer.send(t, tt.reply)
			if _, err := c.ReadAPDU(context.Background()); !errors.Is(err, tt.want) {
				t.Errorf("ReadAPDU after %v: error = %v, want %v", tt.reply, err, tt.want)
			}
		})
	}
}

func TestClientWaitsOutRNR(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ua, _ := AppendFrame(nil, Frame{Kind: KindUA, PF: true, Dest: ClientAddress(16), Src: Address{Upper: 1},
			Info: AppendParams(nil, Params{MaxInfoTransmit: 128, MaxInfoReceive: 128, WindowTransmit: 1, WindowReceive: 1})})
		c, peer := clientUnderTest(t, Config{Server: Address{Upper: 1}}, ua)
		written := make(chan error, 1)
		go func() { written <- c.WriteAPDU(context.Background(), make([]byte, 200)) }()
		peer.expect(t, "I 16→1 N(S)=0 N(R)=0 P/F S info=128B")
		start := time.Now()
		peer.send(t, Frame{Kind: KindRNR, NR: 1, PF: true})
		// Busy: the client polls after a response time instead of sending.
		peer.expect(t, "RR 16→1 N(R)=0 P/F")
		if waited := time.Since(start); waited != 2*time.Second {
			t.Errorf("polled after %v, want the 2 s response time", waited)
		}
		peer.send(t, Frame{Kind: KindRR, NR: 1, PF: true})
		peer.expect(t, "I 16→1 N(S)=1 N(R)=0 P/F info=75B")
		if err := <-written; err != nil {
			t.Errorf("WriteAPDU: %v", err)
		}
	})
}

func TestCloseSendsDISC(t *testing.T) {
	c, peer := clientUnderTest(t, Config{Server: Address{Upper: 1}}, nil)
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	peer.expect(t, "DISC 16→1 P/F")
	peer.send(t, Frame{Kind: KindUA, PF: true})
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.WriteAPDU(context.Background(), []byte{1}); !errors.Is(err, ErrDisconnected) {
		t.Errorf("WriteAPDU after Close: error = %v, want ErrDisconnected", err)
	}
}
