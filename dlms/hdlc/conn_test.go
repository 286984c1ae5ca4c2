package hdlc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// echo serves server until its stream ends, answering every APDU with the
// bytes reversed and passing over the ends of links.
func echo(server *Conn) <-chan error {
	return linktest.Echo(server, func(err error) bool { return errors.Is(err, ErrDisconnected) })
}

func exchange(t *testing.T, client *Conn, sizes ...int) {
	t.Helper()
	linktest.Exchange(t, client, sizes...)
}

// pipePair connects a client and a server over net.Pipe. The server runs
// echo; the returned channel reports how it ended.
func pipePair(t *testing.T, ccfg, scfg Config) (*Conn, <-chan error) {
	t.Helper()
	a, b := net.Pipe()
	server, err := NewServer(b, scfg)
	if err != nil {
		t.Fatal(err)
	}
	done := echo(server)
	client, err := Connect(context.Background(), a, ccfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return client, done
}

var allSizes = []int{0, 1, 2, 100, 125, 126, 127, 128, 1000, 4096, 65536}

func TestClientServerOverPipe(t *testing.T) {
	tests := []struct {
		name   string
		client Config
		server Config
		want   Params // the client's agreed parameters
	}{
		{"defaults", Config{}, Config{}, DefaultParams()},
		{"small frames window 1", Config{MaxInfoTransmit: 32, MaxInfoReceive: 32, MaxAPDU: 1 << 16},
			Config{MaxInfoTransmit: 2030, MaxInfoReceive: 2030, MaxAPDU: 1 << 16}, Params{32, 32, 1, 1}},
		{"small frames window 7", Config{MaxInfoTransmit: 32, MaxInfoReceive: 32, WindowTransmit: 7, WindowReceive: 7, MaxAPDU: 1 << 16},
			Config{MaxInfoTransmit: 64, MaxInfoReceive: 2030, WindowTransmit: 7, WindowReceive: 7, MaxAPDU: 1 << 16}, Params{32, 32, 7, 7}},
		{"uneven windows", Config{WindowTransmit: 3, WindowReceive: 7, MaxInfoReceive: 2030, MaxAPDU: 1 << 16},
			Config{WindowTransmit: 5, WindowReceive: 2, MaxInfoTransmit: 500, MaxAPDU: 1 << 16}, Params{128, 500, 2, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, done := pipePair(t, tt.client, tt.server)
			if got := client.Params(); got != tt.want {
				t.Fatalf("agreed %+v, want %+v", got, tt.want)
			}
			sizes := allSizes
			if tt.client.MaxAPDU == 0 {
				sizes = sizes[:len(sizes)-1]
			}
			exchange(t, client, sizes...)
			if err := client.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := <-done; err != io.EOF {
				t.Errorf("server ended with %v, want io.EOF", err)
			}
			if s := client.Stats(); s.Retransmissions != 0 || s.Invalid != 0 || s.Timeouts != 0 {
				t.Errorf("clean link: %+v", s)
			}
		})
	}
}

func TestClientServerOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	scfg := Config{MaxInfoTransmit: 64, MaxInfoReceive: 64, WindowTransmit: 7, WindowReceive: 7, MaxAPDU: 1 << 16}
	served := make(chan error, 1)
	var peer [2]uint16
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		server, err := NewServer(nc, scfg)
		if err != nil {
			served <- err
			return
		}
		defer server.Close()
		// Serve one request by hand to see the addresses, then echo.
		apdu, err := server.ReadAPDU(context.Background())
		if err == nil {
			peer = [2]uint16{server.ClientAddress(), server.ServerAddress()}
			err = server.WriteAPDU(context.Background(), reversed(apdu))
		}
		if err != nil {
			served <- err
			return
		}
		served <- <-echo(server)
	}()
	ccfg := Config{Client: 32, Server: Address{Upper: 1, Lower: 0x11}, MaxInfoTransmit: 64, MaxInfoReceive: 64, WindowTransmit: 7, WindowReceive: 7, MaxAPDU: 1 << 16}
	client, err := Dial(context.Background(), ln.Addr().String(), ccfg)
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, client, allSizes...)
	if peer != [2]uint16{32, 1} {
		t.Errorf("server saw client %d at logical device %d, want 32 at 1", peer[0], peer[1])
	}
	if err := client.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-served; err != io.EOF {
		t.Errorf("server ended with %v, want io.EOF", err)
	}
}

func TestClientServerOverPlainStream(t *testing.T) {
	a, b := linktest.PlainPair()
	server, err := NewServer(b, Config{WindowReceive: 4, WindowTransmit: 4})
	if err != nil {
		t.Fatal(err)
	}
	done := echo(server)
	client, err := Connect(context.Background(), a, Config{WindowReceive: 4, WindowTransmit: 4})
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, client, 1, 500, 20000)
	if err := client.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	server.Close()
	if err := <-done; err == nil {
		t.Error("server ended without an error")
	}
}

func TestConfigValidation(t *testing.T) {
	for name, cfg := range map[string]Config{
		"client SAP 127":         {Client: 127},
		"max info 31":            {MaxInfoTransmit: 31},
		"max info 2031":          {MaxInfoReceive: 2031},
		"window 8":               {WindowTransmit: 8},
		"window -1":              {WindowReceive: -1},
		"server address in 1":    {Server: Address{Upper: 1, Lower: 2, Size: 1}},
		"negative APDU maximum":  {MaxAPDU: -1},
		"upper address too high": {Server: Address{Upper: 0x4000}},
	} {
		if _, err := NewServer(&bytes.Buffer{}, cfg); err == nil {
			t.Errorf("%s: NewServer accepted %+v", name, cfg)
		}
	}
	c, err := newConn(&bytes.Buffer{}, Config{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientAddress() != 16 || c.ServerAddress() != 1 || c.cfg.ResponseTimeout != 2*time.Second || c.cfg.InactivityTimeout != 120*time.Second {
		t.Errorf("zero Config gives client %d, server %d, %+v", c.ClientAddress(), c.ServerAddress(), c.cfg)
	}
}
