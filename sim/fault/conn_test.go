package fault

import (
	"bytes"
	"errors"
	"io"
	"math/bits"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// frames writes n frames of 40 bytes through a faulty conn and returns
// what arrived.
func frames(t *testing.T, spec string, n int) ([]byte, *Counts) {
	t.Helper()
	s, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	counts := new(Counts)
	c := NewConn(a, NewPlan(&s, 1, 0, t0), 8, counts)
	got := make(chan []byte)
	go func() {
		all, _ := io.ReadAll(b)
		got <- all
	}()
	frame := bytes.Repeat([]byte{0xAA}, 40)
	for range n {
		if k, err := c.Write(frame); err != nil || k != len(frame) {
			t.Fatalf("write: %d, %v", k, err)
		}
	}
	c.Close()
	return <-got, counts
}

func TestConnLosesAndCorruptsFrames(t *testing.T) {
	if got, n := frames(t, "loss=1", 10); len(got) != 0 || n.Dropped.Load() != 10 || n.Frames.Load() != 10 {
		t.Fatalf("loss=1 delivered %d bytes, counted %d dropped", len(got), n.Dropped.Load())
	}
	got, n := frames(t, "corrupt=1", 50)
	if len(got) != 50*40 || n.Corrupted.Load() != 50 {
		t.Fatalf("corrupt=1: %d bytes, %d corrupted", len(got), n.Corrupted.Load())
	}
	for f := range 50 {
		frame := got[f*40 : (f+1)*40]
		if !bytes.Equal(frame[:8], bytes.Repeat([]byte{0xAA}, 8)) {
			t.Fatalf("frame %d: header hit: % X", f, frame[:8])
		}
		flipped := 0
		for _, x := range frame[8:] {
			flipped += bits.OnesCount8(x ^ 0xAA)
		}
		if flipped != 1 {
			t.Fatalf("frame %d: %d bits flipped", f, flipped)
		}
	}
	if got, _ := frames(t, "loss=0.1", 10); !bytes.Equal(got, bytes.Repeat([]byte{0xAA}, len(got))) {
		t.Fatal("a frame changed without corrupt")
	}
}

func TestConnLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := Parse("latency=20ms")
		a, b := net.Pipe()
		c := NewConn(a, NewPlan(&s, 1, 0, t0), 8, nil)
		go io.Copy(io.Discard, b)
		start := time.Now()
		c.Write([]byte("frame"))
		if d := time.Since(start); d != 20*time.Millisecond {
			t.Fatalf("write took %v", d)
		}
		done := make(chan error)
		go func() {
			_, err := c.Write([]byte("late"))
			done <- err
		}()
		synctest.Wait()
		c.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("write during close: %v", err)
		}
	})
}
