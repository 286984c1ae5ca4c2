package hdlc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

func TestNoisyLine(t *testing.T) {
	// Bytes are lost and bits flipped at random on the line; the link must
	// deliver every APDU intact, by dropping what fails the HCS/FCS and
	// sending again what the N(R)s show missing.
	for _, window := range []int{1, 7} {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("window=%d/seed=%d", window, seed), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					cfg := Config{MaxInfoTransmit: 48, MaxInfoReceive: 48, WindowTransmit: window, WindowReceive: window,
						MaxRetries: 30, MaxAPDU: 1 << 16}
					cEnd, sEnd := noisyLine(seed, 0.05)
					server, _ := NewServer(sEnd, cfg)
					done := echo(server)
					var client *Conn
					var err error
					for range 5 { // the SNRM or UA itself may be hit
						if client, err = Connect(context.Background(), cEnd, cfg); err == nil {
							break
						}
					}
					if err != nil {
						t.Fatalf("Connect over the noisy line: %v", err)
					}
					exchange(t, client, 1, 300, 5000, 1<<16)
					s := client.Stats()
					if s.Retransmissions == 0 || s.Invalid == 0 {
						t.Errorf("client stats %+v: the line's faults left no trace", s)
					}
					cEnd.Close()
					<-done
				})
			})
		}
	}
}

func TestConnectToSilentServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		frames := make(chan Frame, 10)
		go collect(b, frames)
		start := time.Now()
		_, err := Connect(context.Background(), a, Config{ResponseTimeout: time.Second, MaxRetries: 2})
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("Connect to a silent server: error = %v, want ErrTimeout", err)
		}
		if waited := time.Since(start); waited != 3*time.Second {
			t.Errorf("gave up after %v, want 3 × 1 s", waited)
		}
		a.Close()
		if n := countKind(frames, KindSNRM); n != 3 {
			t.Errorf("sent %d SNRM, want 3 (one and two retries)", n)
		}
	})
}

func TestServerStallsAfterRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		server, _ := NewServer(b, Config{})
		defer server.Close()
		go func() {
			// Take the request and never answer it, nor the polls.
			server.ReadAPDU(context.Background())
			io.Copy(io.Discard, b)
		}()
		client, err := Connect(context.Background(), a, Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.WriteAPDU(context.Background(), []byte{0xC0, 0x01}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = client.ReadAPDU(context.Background())
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("ReadAPDU from a stalled server: error = %v, want ErrTimeout", err)
		}
		if waited := time.Since(start); waited != 8*time.Second {
			t.Errorf("gave up after %v, want 4 × 2 s (the wait and three polls)", waited)
		}
		if err := client.WriteAPDU(context.Background(), []byte{0xC0}); !errors.Is(err, ErrTimeout) {
			t.Errorf("WriteAPDU after the timeout: error = %v, want the same ErrTimeout", err)
		}
	})
}

func TestServerInactivityTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		server, _ := NewServer(b, Config{})
		defer server.Close()
		served := make(chan error, 1)
		go func() {
			_, err := server.ReadAPDU(context.Background())
			served <- err
		}()
		if _, err := Connect(context.Background(), a, Config{}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err := <-served
		if !errors.Is(err, ErrInactive) || time.Since(start) != 120*time.Second {
			t.Errorf("server ReadAPDU = %v after %v, want ErrInactive after the default 120 s", err, time.Since(start))
		}
		if err := server.WriteAPDU(context.Background(), []byte{1}); !errors.Is(err, ErrNotConnected) {
			t.Errorf("WriteAPDU after inactivity: error = %v, want ErrNotConnected", err)
		}
	})
}

func TestServerWaitsForThePollToGoOn(t *testing.T) {
	// A client that stops polling halfway through a segmented response:
	// the server waits for its inactivity timeout, then gives up.
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		server, _ := NewServer(b, Config{InactivityTimeout: 30 * time.Second})
		defer server.Close()
		peer := newScriptedClient(a)
		peer.send(t, Frame{Kind: KindSNRM, PF: true})
		served := make(chan error, 1)
		go func() {
			if _, err := server.ReadAPDU(context.Background()); err != nil {
				served <- err
				return
			}
			served <- server.WriteAPDU(context.Background(), make([]byte, 300))
		}()
		peer.expect(t, "UA 1→16 P/F info=23B")
		peer.send(t, Frame{Kind: KindI, PF: true, Info: []byte{0xE6, 0xE6, 0x00, 0xC0}})
		peer.expect(t, "I 1→16 N(S)=0 N(R)=1 P/F S info=128B")
		start := time.Now()
		if err := <-served; !errors.Is(err, ErrInactive) || time.Since(start) != 30*time.Second {
			t.Errorf("WriteAPDU without the client's RR = %v after %v, want ErrInactive after 30 s", err, time.Since(start))
		}
	})
}

func TestReadAPDUHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		server, _ := NewServer(b, Config{})
		defer server.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := server.ReadAPDU(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("server ReadAPDU under a 5 s context: error = %v, want context.DeadlineExceeded", err)
		}
		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		if _, err := Connect(ctx, a, Config{}); !errors.Is(err, context.Canceled) {
			t.Errorf("Connect with a cancelled context: error = %v, want context.Canceled", err)
		}
	})
}

func TestPeerDisconnectsMidSegmentedAPDU(t *testing.T) {
	t.Run("client leaves mid-request", func(t *testing.T) {
		a, b := net.Pipe()
		server, _ := NewServer(b, Config{})
		defer server.Close()
		served := make(chan error, 1)
		go func() {
			_, err := server.ReadAPDU(context.Background())
			served <- err
		}()
		peer := newScriptedClient(a)
		peer.send(t, Frame{Kind: KindSNRM, PF: true})
		peer.expect(t, "UA 1→16 P/F info=23B")
		peer.send(t, Frame{Kind: KindI, PF: true, Segmented: true, Info: []byte{0xE6, 0xE6, 0x00, 0xC0}})
		peer.expect(t, "RR 1→16 N(R)=1 P/F")
		a.Close()
		if err := <-served; !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("server ReadAPDU = %v, want io.ErrUnexpectedEOF", err)
		}
	})
	t.Run("server leaves mid-response", func(t *testing.T) {
		a, b := net.Pipe()
		server, _ := NewServer(b, Config{})
		go func() {
			server.ReadAPDU(context.Background())
			// Send the first frame of a window of three, then go.
			f, _ := AppendFrame(nil, Frame{Kind: KindI, NR: 1, Segmented: true, Dest: ClientAddress(16), Src: Address{Upper: 1},
				Info: append([]byte{0xE6, 0xE7, 0x00}, make([]byte, 125)...)})
			b.Write(f)
			b.Close()
		}()
		client, err := Connect(context.Background(), a, Config{WindowReceive: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		client.WriteAPDU(context.Background(), []byte{0xC0})
		if _, err := client.ReadAPDU(context.Background()); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("client ReadAPDU = %v, want io.ErrUnexpectedEOF", err)
		}
	})
}

// scriptedPeer plays one end frame by frame against a Conn: a client
// (newScriptedClient) or a server (newScriptedServer).
type scriptedPeer struct {
	conn      net.Conn
	rd        *Reader
	dest, src Address // filled into frames sent without addresses
}

func newScriptedClient(c net.Conn) *scriptedPeer {
	return &scriptedPeer{conn: c, rd: NewReader(c), dest: Address{Upper: 1}, src: ClientAddress(16)}
}

func newScriptedServer(c net.Conn) *scriptedPeer {
	return &scriptedPeer{conn: c, rd: NewReader(c), dest: ClientAddress(16), src: Address{Upper: 1}}
}

func (p *scriptedPeer) send(t *testing.T, f Frame) {
	t.Helper()
	if f.Dest == (Address{}) {
		f.Dest = p.dest
	}
	if f.Src == (Address{}) {
		f.Src = p.src
	}
	b, err := AppendFrame(nil, f)
	if err != nil {
		t.Fatal(err)
	}
	p.sendRaw(t, b)
}

func (p *scriptedPeer) sendRaw(t *testing.T, b []byte) {
	t.Helper()
	go p.conn.Write(b) // net.Pipe: the write completes as the server reads
}

func (p *scriptedPeer) expect(t *testing.T, want string) Frame {
	t.Helper()
	f, err := p.rd.ReadFrame()
	if err != nil {
		t.Fatalf("reading the peer's frame: %v (want %s)", err, want)
	}
	if got := f.String(); got != want {
		t.Fatalf("peer sent %s, want %s", got, want)
	}
	return f
}

func collect(c net.Conn, out chan<- Frame) {
	defer close(out)
	r := NewReader(c)
	for {
		f, err := r.ReadFrame()
		if err != nil {
			return
		}
		out <- f
	}
}

func countKind(frames <-chan Frame, k Kind) int {
	n := 0
	for f := range frames {
		if f.Kind == k {
			n++
		}
	}
	return n
}
