package hdlc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"
)

// tap sits between a client and a server: it passes the byte stream each
// way frame by frame, writes every frame it passes into a transcript, and
// can drop or damage frames a fault function picks.
type tap struct {
	start time.Time // transcript lines carry the time since start
	mu    sync.Mutex
	lines []string
	// fault decides what happens to the n-th frame (counting from 0) going
	// the direction dir ("C→S" or "S→C"); nil passes everything.
	fault func(dir string, n int, f Frame) fault
}

type fault int

const (
	pass fault = iota
	drop
	corrupt // flip a bit of the information field or control byte
)

// connect returns the ends a client and a server use; closing either end
// tears the tap down.
func (tp *tap) connect() (clientEnd, serverEnd net.Conn) {
	tp.start = time.Now()
	c1, c2 := net.Pipe()
	s1, s2 := net.Pipe()
	go tp.forward("C→S", c2, s1)
	go tp.forward("S→C", s1, c2)
	return c1, s2
}

func (tp *tap) forward(dir string, from, to net.Conn) {
	defer from.Close()
	defer to.Close()
	r := NewReader(from)
	var buf []byte
	for n := 0; ; n++ {
		f, err := r.ReadFrame()
		if fe := (*FrameError)(nil); errors.As(err, &fe) {
			tp.record(fmt.Sprintf("%s (malformed: %v)", dir, err))
			n--
			continue
		}
		if err != nil {
			return
		}
		action := pass
		if tp.fault != nil {
			action = tp.fault(dir, n, f)
		}
		buf, _ = AppendFrame(buf[:0], f)
		switch action {
		case drop:
			tp.record(fmt.Sprintf("%s %v   [dropped]", dir, describe(f)))
			continue
		case corrupt:
			buf[len(buf)-4] ^= 0x10 // last information byte, or the control byte
			tp.record(fmt.Sprintf("%s %v   [corrupted]", dir, describe(f)))
		default:
			tp.record(fmt.Sprintf("%s %v", dir, describe(f)))
		}
		if _, err := to.Write(buf); err != nil {
			return
		}
	}
}

// describe is a frame's line in a transcript: its fields, and the
// information field in hex when it is short.
func describe(f Frame) string {
	s := f.String()
	if len(f.Info) > 0 && len(f.Info) <= 24 {
		s += fmt.Sprintf(" [% X]", f.Info)
	}
	return s
}

func (tp *tap) record(line string) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.lines = append(tp.lines, fmt.Sprintf("%5.1fs %s", time.Since(tp.start).Seconds(), line))
}

func (tp *tap) transcript() string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return strings.Join(tp.lines, "\n") + "\n"
}

// noisyLine passes bytes each way but loses and flips bytes at random
// (seeded): rate is the chance per read chunk of losing a byte and, apart,
// of flipping a bit.
func noisyLine(seed uint64, rate float64) (clientEnd, serverEnd net.Conn) {
	c1, c2 := net.Pipe()
	s1, s2 := net.Pipe()
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	var mu sync.Mutex
	chance := func() (int, float64) {
		mu.Lock()
		defer mu.Unlock()
		return rng.IntN(1 << 20), rng.Float64()
	}
	pump := func(from, to net.Conn) {
		defer from.Close()
		defer to.Close()
		buf := make([]byte, 512)
		for {
			n, err := from.Read(buf)
			if err != nil {
				return
			}
			chunk := buf[:n]
			if at, p := chance(); p < rate {
				chunk = append(chunk[:at%n:at%n], chunk[at%n+1:]...) // lose a byte
			}
			if at, p := chance(); p < rate && len(chunk) > 0 {
				chunk[at%len(chunk)] ^= 1 << (at % 8)
			}
			if _, err := to.Write(chunk); err != nil {
				return
			}
		}
	}
	go pump(c2, s1)
	go pump(s1, c2)
	return c1, s2
}
