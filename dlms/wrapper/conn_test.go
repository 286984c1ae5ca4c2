package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// pair returns a client and a server Conn joined by net.Pipe.
func pair(t *testing.T, ccfg, scfg Config) (client, server *Conn) {
	t.Helper()
	a, b := net.Pipe()
	client, err := NewClient(a, ccfg)
	if err != nil {
		t.Fatal(err)
	}
	server, err = NewServer(b, scfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// exchange sends an APDU of each size and checks the echo.
func exchange(t *testing.T, client *Conn, sizes []int) {
	t.Helper()
	linktest.Exchange(t, client, sizes...)
}

func echo(server *Conn) <-chan error { return linktest.Echo(server, nil) }

var sizes = []int{1, 2, 31, 1000, 4096, 4097, 30000, MaxAPDULen}

func TestClientServerOverPipe(t *testing.T) {
	client, server := pair(t, Config{Client: 32}, Config{})
	done := echo(server)
	exchange(t, client, sizes)
	if got := server.ClientAddress(); got != 32 {
		t.Errorf("server.ClientAddress() = %d, want 32", got)
	}
	if got := server.ServerAddress(); got != 1 {
		t.Errorf("server.ServerAddress() = %d, want 1", got)
	}
	client.Close()
	if err := <-done; err != io.EOF {
		t.Errorf("server ended with %v, want io.EOF", err)
	}
}

func TestClientServerOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		server, err := NewServer(nc, Config{Server: 1})
		if err != nil {
			done <- err
			return
		}
		defer server.Close()
		done <- <-echo(server)
	}()
	client, err := Dial(context.Background(), ln.Addr().String(), Config{Client: 1})
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, client, sizes)
	client.Close()
	if err := <-done; err != io.EOF {
		t.Errorf("server ended with %v, want io.EOF", err)
	}
}

func TestClientServerOverPlainStream(t *testing.T) {
	a, b := linktest.PlainPair()
	client, err := NewClient(a, Config{})
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServer(b, Config{})
	if err != nil {
		t.Fatal(err)
	}
	done := echo(server)
	exchange(t, client, sizes)
	client.Close()
	server.Close()
	if err := <-done; err == nil {
		t.Error("server ended without an error after both ends closed")
	}
}

func TestReadAPDUHonoursContext(t *testing.T) {
	streams := map[string]func() (io.ReadWriter, io.ReadWriter){
		"net.Pipe":     func() (io.ReadWriter, io.ReadWriter) { return net.Pipe() },
		"plain stream": func() (io.ReadWriter, io.ReadWriter) { return linktest.PlainPair() },
	}
	for name, mk := range streams {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b := mk()
				client, _ := NewClient(a, Config{})
				server, _ := NewServer(b, Config{Client: 16})
				defer client.Close()
				defer server.Close()

				start := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				if _, err := client.ReadAPDU(ctx); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("ReadAPDU with a 3 s deadline: error = %v, want context.DeadlineExceeded", err)
				}
				if waited := time.Since(start); waited != 3*time.Second {
					t.Errorf("ReadAPDU gave up after %v, want 3s", waited)
				}

				ctx, cancel = context.WithCancel(context.Background())
				go func() {
					time.Sleep(time.Second) // fake time inside the bubble
					cancel()
				}()
				if _, err := client.ReadAPDU(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("ReadAPDU cancelled: error = %v, want context.Canceled", err)
				}

				// The connection still works after both interruptions.
				go func() {
					server.WriteAPDU(context.Background(), []byte{0xC4, 0x01})
				}()
				apdu, err := client.ReadAPDU(context.Background())
				if err != nil || !bytes.Equal(apdu, []byte{0xC4, 0x01}) {
					t.Errorf("ReadAPDU after the interruptions = % X, %v; want C4 01", apdu, err)
				}
			})
		})
	}
}

func TestWriteAPDUHonoursContextOnNetConn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer b.Close()
		client, _ := NewClient(a, Config{})
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		// Nobody reads the other end: the write blocks until the deadline.
		err := client.WriteAPDU(ctx, []byte{0xC0})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WriteAPDU into a stalled peer: error = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestAddressChecks(t *testing.T) {
	tests := []struct {
		name       string
		serverSide bool
		cfg        Config
		frame      Frame
		wantErr    error
	}{
		{"server: frame for another logical device", true, Config{}, Frame{Source: 16, Dest: 2}, ErrDestination},
		{"server: client other than the configured one", true, Config{Client: 1}, Frame{Source: 16, Dest: 1}, ErrSource},
		{"client: frame for another client", false, Config{Client: 16}, Frame{Source: 1, Dest: 32}, ErrDestination},
		{"client: frame from another server", false, Config{Client: 16}, Frame{Source: 2, Dest: 16}, ErrSource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad, _ := AppendFrame(nil, tt.frame)
			good := tt.frame
			good.APDU = []byte{0xAB}
			if tt.serverSide {
				good.Source, good.Dest = 1, 1
			} else {
				good.Source, good.Dest = 1, 16
			}
			stream, _ := AppendFrame(bad, good)
			rw := struct {
				io.Reader
				io.Writer
			}{bytes.NewReader(stream), io.Discard}
			var c *Conn
			if tt.serverSide {
				c, _ = NewServer(rw, tt.cfg)
			} else {
				c, _ = NewClient(rw, tt.cfg)
			}
			if _, err := c.ReadAPDU(context.Background()); !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadAPDU of the misaddressed frame: error = %v, want %v", err, tt.wantErr)
			}
			apdu, err := c.ReadAPDU(context.Background())
			if err != nil || !bytes.Equal(apdu, []byte{0xAB}) {
				t.Errorf("ReadAPDU of the next frame = % X, %v; want AB", apdu, err)
			}
		})
	}
}

func TestPeerDisconnectsMidFrame(t *testing.T) {
	a, b := net.Pipe()
	server, _ := NewServer(b, Config{})
	defer server.Close()
	go func() {
		frame, _ := AppendFrame(nil, Frame{Source: 16, Dest: 1, APDU: make([]byte, 100)})
		a.Write(frame[:50])
		a.Close()
	}()
	if _, err := server.ReadAPDU(context.Background()); err != io.ErrUnexpectedEOF {
		t.Errorf("ReadAPDU after the peer closed mid-frame: error = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestGarbageIsRejected(t *testing.T) {
	rw := struct {
		io.Reader
		io.Writer
	}{bytes.NewReader([]byte("GET / HTTP/1.1\r\nHost: meter\r\n\r\n")), io.Discard}
	server, _ := NewServer(rw, Config{MaxAPDU: 2048})
	_, err := server.ReadAPDU(context.Background())
	var he *HeaderError
	if !errors.As(err, &he) || !errors.Is(err, ErrVersion) || he.Header.Version != 0x4745 {
		t.Errorf("ReadAPDU of an HTTP request: error = %v, want a HeaderError with version 0x4745 (\"GE\")", err)
	}
}

func TestConfigValidation(t *testing.T) {
	if _, err := NewServer(&bytes.Buffer{}, Config{MaxAPDU: MaxAPDULen + 1}); err == nil {
		t.Error("NewServer accepted MaxAPDU 65536")
	}
	c, err := NewClient(&bytes.Buffer{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientAddress() != 16 || c.ServerAddress() != 1 {
		t.Errorf("zero Config: client %d server %d, want the public client 16 and server 1", c.ClientAddress(), c.ServerAddress())
	}
}
