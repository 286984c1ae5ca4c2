package listen

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"testing"
)

// A thousand listeners, each on its own loopback address, cost no
// goroutine; a connection to any reaches the handler with its id.
func TestManyListenersOneGoroutine(t *testing.T) {
	s, err := New(func(ctx context.Context, id int, c net.Conn) {
		defer c.Close()
		fmt.Fprintf(c, "%d", id)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	before := runtime.NumGoroutine()
	const n = 1000
	addrs := make([]string, n)
	for i := range n {
		a, err := s.Listen(i, fmt.Sprintf("127.77.%d.%d:0", i/250, i%250+1))
		if err != nil {
			t.Skipf("loopback addresses beyond 127.0.0.1 do not bind here: %v", err)
		}
		addrs[i] = a.String()
	}
	if g := runtime.NumGoroutine(); runtime.GOOS == "linux" && g > before+2 {
		t.Errorf("%d goroutines for %d listeners (were %d)", g, n, before)
	}
	for _, i := range []int{0, 1, 499, 999} {
		for range 3 {
			c, err := net.Dial("tcp", addrs[i])
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(c)
			c.Close()
			if err != nil || string(b) != fmt.Sprint(i) {
				t.Fatalf("listener %d answered %q, %v", i, b, err)
			}
		}
	}
	if _, err := s.Listen(3, "127.0.0.1:0"); err == nil {
		t.Fatal("an id listened twice")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", addrs[5]); err == nil {
		c.Close()
		t.Fatal("a listener outlived Serve")
	}
	if _, err := s.Listen(n, "127.0.0.1:0"); err != ErrClosed {
		t.Fatalf("Listen after Serve: %v", err)
	}
}

// Close without Serve frees every socket; Serve after Close refuses.
func TestCloseWithoutServe(t *testing.T) {
	s, err := New(func(context.Context, int, net.Conn) {})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Listen(1, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", a.String()); err == nil {
		c.Close()
		t.Fatal("a listener outlived Close")
	}
	if err := s.Serve(t.Context()); err != ErrClosed {
		t.Fatalf("Serve after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
