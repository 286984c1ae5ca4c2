package hdlc

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
)

// serverUnderTest starts a server on one end of a pipe; its ReadAPDU
// results arrive on the returned channel, and every APDU it reads is
// answered with the bytes reversed.
func serverUnderTest(t *testing.T, cfg Config) (*scriptedPeer, chan result) {
	t.Helper()
	a, b := net.Pipe()
	server, err := NewServer(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan result, 16)
	go func() {
		for {
			apdu, err := server.ReadAPDU(context.Background())
			results <- result{bytes.Clone(apdu), err, server.ClientAddress()}
			if err == nil {
				err = server.WriteAPDU(context.Background(), reversed(apdu))
			}
			if err != nil && !errors.Is(err, ErrDisconnected) && !errors.Is(err, ErrAPDUTooLong) && !errors.Is(err, ErrLLC) {
				return
			}
		}
	}()
	t.Cleanup(func() { a.Close(); b.Close() })
	return newScriptedClient(a), results
}

type result struct {
	apdu   []byte
	err    error
	client uint16
}

func TestServerAnswersKmethySNRM(t *testing.T) {
	// The server of the DLMS UA example: upper address 1, lower 0x11.
	peer, results := serverUnderTest(t, Config{Server: Address{Upper: 1, Lower: 0x11}})
	peer.sendRaw(t, unhex(t, kmethySNRM))
	ua := peer.expect(t, "UA 1/17→16 P/F info=23B")
	wire, _ := AppendFrame(nil, ua)
	if want := unhex(t, kmethyUA); !bytes.Equal(wire, want) {
		t.Errorf("UA =\n% X\nwant the example's\n% X", wire, want)
	}
	peer.sendRaw(t, unhex(t, kmethyAARQ))
	r := <-results
	if want := unhex(t, kmethyAARQInfo)[3:]; r.err != nil || !bytes.Equal(r.apdu, want) || r.client != 16 {
		t.Errorf("ReadAPDU = % X, %v from client %d; want the AARQ from 16", r.apdu, r.err, r.client)
	}
	resp := peer.expect(t, "I 1/17→16 N(S)=0 N(R)=1 P/F info=34B")
	if string(resp.Info[:3]) != llcResponse {
		t.Errorf("response LLC header % X, want E6 E7 00", resp.Info[:3])
	}
}

func TestServerLinkManagement(t *testing.T) {
	peer, results := serverUnderTest(t, Config{})
	i := func(ns, nr uint8, info ...byte) Frame {
		return Frame{Kind: KindI, NS: ns, NR: nr, PF: true, Info: append([]byte{0xE6, 0xE6, 0x00}, info...)}
	}

	// Disconnected: anything but SNRM gets DM.
	peer.send(t, i(0, 0, 0xC0))
	peer.expect(t, "DM 1→16 P/F")
	peer.send(t, Frame{Kind: KindRR, PF: true})
	peer.expect(t, "DM 1→16 P/F")
	peer.send(t, Frame{Kind: KindDISC, PF: true})
	peer.expect(t, "DM 1→16 P/F")

	// SNRM with unusable parameters is refused.
	peer.send(t, Frame{Kind: KindSNRM, PF: true, Info: unhex(t, "81 80 03 07 01 00")})
	peer.expect(t, "DM 1→16 P/F")

	peer.send(t, Frame{Kind: KindSNRM, PF: true})
	peer.expect(t, "UA 1→16 P/F info=23B")

	// A second client is turned away while the first is connected.
	peer.send(t, Frame{Kind: KindSNRM, PF: true, Src: ClientAddress(32)})
	peer.expect(t, "DM 1→32 P/F")
	peer.send(t, Frame{Kind: KindI, PF: true, Src: ClientAddress(32), Info: []byte{0xE6, 0xE6, 0x00, 1}})
	peer.expect(t, "DM 1→32 P/F")

	// Frames for another logical device are not answered at all; the RR
	// that follows is.
	peer.send(t, Frame{Kind: KindRR, PF: true, Dest: Address{Upper: 2}})
	peer.send(t, Frame{Kind: KindRR, PF: true})
	peer.expect(t, "RR 1→16 N(R)=0 P/F")

	peer.send(t, i(0, 0, 0xC0, 0x01))
	if r := <-results; r.err != nil || !bytes.Equal(r.apdu, []byte{0xC0, 0x01}) {
		t.Fatalf("ReadAPDU = % X, %v", r.apdu, r.err)
	}
	peer.expect(t, "I 1→16 N(S)=0 N(R)=1 P/F info=5B")

	// SNRM again: a new link, numbered from 0; the server learns of it.
	peer.send(t, Frame{Kind: KindSNRM, PF: true})
	peer.expect(t, "UA 1→16 P/F info=23B")
	if r := <-results; !errors.Is(r.err, ErrDisconnected) {
		t.Errorf("ReadAPDU across SNRM: error = %v, want ErrDisconnected", r.err)
	}
	peer.send(t, i(0, 0, 0xC0, 0x02))
	if r := <-results; r.err != nil || !bytes.Equal(r.apdu, []byte{0xC0, 0x02}) {
		t.Fatalf("ReadAPDU on the new link = % X, %v", r.apdu, r.err)
	}
	peer.expect(t, "I 1→16 N(S)=0 N(R)=1 P/F info=5B")

	peer.send(t, Frame{Kind: KindDISC, PF: true})
	peer.expect(t, "UA 1→16 P/F")
	if r := <-results; !errors.Is(r.err, ErrDisconnected) {
		t.Errorf("ReadAPDU across DISC: error = %v, want ErrDisconnected", r.err)
	}
	peer.send(t, Frame{Kind: KindRR, NR: 1, PF: true})
	peer.expect(t, "DM 1→16 P/F")
}

func TestServerFrameReject(t *testing.T) {
	peer, _ := serverUnderTest(t, Config{})
	peer.send(t, Frame{Kind: KindSNRM, PF: true})
	peer.expect(t, "UA 1→16 P/F info=23B")
	// N(R)=3 acknowledges frames the server never sent.
	peer.send(t, Frame{Kind: KindRR, NR: 3, PF: true})
	f := peer.expect(t, "FRMR 1→16 P/F info=3B")
	var rej *RejectError
	if err := rejectError(f.Info); !errors.As(err, &rej) || *rej != (RejectError{Control: 0x71, Reason: RejectInvalidNR}) || !errors.Is(err, ErrFrameRejected) {
		t.Errorf("FRMR says %v, want control 0x71 rejected for its N(R)", err)
	}
	// The condition lasts until SNRM.
	peer.send(t, Frame{Kind: KindRR, PF: true})
	peer.expect(t, "FRMR 1→16 P/F info=3B")
	peer.send(t, Frame{Kind: KindSNRM, PF: true})
	peer.expect(t, "UA 1→16 P/F info=23B")
	peer.send(t, Frame{Kind: KindRR, PF: true})
	peer.expect(t, "RR 1→16 N(R)=0 P/F")

	// An information field longer than agreed.
	peer.send(t, Frame{Kind: KindI, PF: true, Info: make([]byte, 129)})
	f = peer.expect(t, "FRMR 1→16 P/F info=3B")
	if err := rejectError(f.Info); !errors.As(err, &rej) || rej.Reason != RejectInfoTooLong {
		t.Errorf("FRMR says %v, want information field too long", err)
	}
}

func TestServerDropsBadAPDUsAndGoesOn(t *testing.T) {
	peer, results := serverUnderTest(t, Config{MaxAPDU: 100})
	peer.send(t, Frame{Kind: KindSNRM, PF: true})
	peer.expect(t, "UA 1→16 P/F info=23B")

	// 2 × 128 bytes reassemble to more than 100.
	peer.send(t, Frame{Kind: KindI, NS: 0, PF: true, Segmented: true, Info: append([]byte{0xE6, 0xE6, 0x00}, make([]byte, 125)...)})
	peer.expect(t, "RR 1→16 N(R)=1 P/F")
	peer.send(t, Frame{Kind: KindI, NS: 1, PF: true, Info: make([]byte, 128)})
	if r := <-results; !errors.Is(r.err, ErrAPDUTooLong) {
		t.Errorf("ReadAPDU of 253 bytes with MaxAPDU 100: error = %v, want ErrAPDUTooLong", r.err)
	}
	peer.expect(t, "RR 1→16 N(R)=2 P/F") // the turn goes back

	peer.send(t, Frame{Kind: KindI, NS: 2, NR: 0, PF: true, Info: []byte{0xAA, 0xBB, 0xCC, 0xC0}})
	if r := <-results; !errors.Is(r.err, ErrLLC) {
		t.Errorf("ReadAPDU without LLC header: error = %v, want ErrLLC", r.err)
	}
	peer.expect(t, "RR 1→16 N(R)=3 P/F")

	peer.send(t, Frame{Kind: KindI, NS: 3, NR: 0, PF: true, Info: []byte{0xE6, 0xE6, 0x00, 0xC0}})
	if r := <-results; r.err != nil || !bytes.Equal(r.apdu, []byte{0xC0}) {
		t.Errorf("ReadAPDU after the bad ones = % X, %v", r.apdu, r.err)
	}
	peer.expect(t, "I 1→16 N(S)=0 N(R)=4 P/F info=4B")
}

func TestServerSurvivesGarbage(t *testing.T) {
	peer, results := serverUnderTest(t, Config{})
	garbage := []byte("\x7e\xa0\x07\x7e\x7e\x00\xff\x7e\xa8\x99 random bytes \x7e\xa0\x0a\x03")
	for i := range 300 {
		garbage = append(garbage, byte(i*73+i>>3))
	}
	peer.sendRaw(t, garbage)
	peer.send(t, Frame{Kind: KindSNRM, PF: true})
	peer.expect(t, "UA 1→16 P/F info=23B")
	peer.send(t, Frame{Kind: KindI, PF: true, Info: []byte{0xE6, 0xE6, 0x00, 0xC0, 0x01}})
	if r := <-results; r.err != nil || !bytes.Equal(r.apdu, []byte{0xC0, 0x01}) {
		t.Errorf("ReadAPDU after garbage = % X, %v", r.apdu, r.err)
	}
}

func TestServerHonoursRNR(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		peer, results := serverUnderTest(t, Config{WindowTransmit: 2})
		peer.send(t, Frame{Kind: KindSNRM, PF: true, Info: AppendParams(nil, Params{128, 128, 1, 2})})
		peer.expect(t, "UA 1→16 P/F info=23B")
		// A 300-byte request in three segments (the first behind the LLC
		// header); its echo is three segments too: a window of two, then
		// the last once the client is ready again.
		req := append([]byte{0xE6, 0xE6, 0x00}, make([]byte, 300)...)
		peer.send(t, Frame{Kind: KindI, NS: 0, PF: true, Segmented: true, Info: req[:128]})
		peer.expect(t, "RR 1→16 N(R)=1 P/F")
		peer.send(t, Frame{Kind: KindI, NS: 1, PF: true, Segmented: true, Info: req[128:256]})
		peer.expect(t, "RR 1→16 N(R)=2 P/F")
		peer.send(t, Frame{Kind: KindI, NS: 2, PF: true, Info: req[256:]})
		if r := <-results; r.err != nil || len(r.apdu) != 300 {
			t.Fatalf("ReadAPDU = %d bytes, %v", len(r.apdu), r.err)
		}
		peer.expect(t, "I 1→16 N(S)=0 N(R)=3 S info=128B")
		peer.expect(t, "I 1→16 N(S)=1 N(R)=3 P/F S info=128B")
		peer.send(t, Frame{Kind: KindRNR, NR: 2, PF: true})
		peer.expect(t, "RR 1→16 N(R)=3 P/F")
		peer.send(t, Frame{Kind: KindRR, NR: 2, PF: true})
		peer.expect(t, "I 1→16 N(S)=2 N(R)=3 P/F info=47B")
	})
}
