package linkio

import (
	"io"
	"os"
	"sync"
	"time"
)

// pump adapts an io.ReadWriter without deadlines into a Stream. One
// goroutine reads the stream into buf and hands the filled part over chunks;
// Read copies from it and returns the buffer (over free) once it is drained,
// so at most one chunk is read ahead and nothing is allocated per Read.
type pump struct {
	rw     io.ReadWriter
	start  sync.Once
	chunks chan chunk    // filled by run
	free   chan struct{} // Read has drained the last chunk
	closed chan struct{}
	once   sync.Once

	// Owned by the reading goroutine.
	pending []byte
	err     error // the stream's sticky read error, returned once pending is drained

	deadline deadline
}

type chunk struct {
	b   []byte
	err error
}

const pumpBufSize = 4096

func newPump(rw io.ReadWriter) *pump {
	return &pump{
		rw:     rw,
		chunks: make(chan chunk),
		free:   make(chan struct{}),
		closed: make(chan struct{}),
	}
}

func (p *pump) run() {
	buf := make([]byte, pumpBufSize)
	for {
		n, err := p.rw.Read(buf)
		if n == 0 && err == nil {
			continue
		}
		select {
		case p.chunks <- chunk{b: buf[:n], err: err}:
		case <-p.closed:
			return
		}
		if err != nil {
			return
		}
		select {
		case <-p.free:
		case <-p.closed:
			return
		}
	}
}

func (p *pump) Read(b []byte) (int, error) {
	if len(p.pending) == 0 && p.err == nil {
		p.start.Do(func() { go p.run() })
		select {
		case c := <-p.chunks:
			p.pending, p.err = c.b, c.err
		case <-p.deadline.expired():
			return 0, os.ErrDeadlineExceeded
		case <-p.closed:
			return 0, os.ErrClosed
		}
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	if len(p.pending) == 0 {
		if p.err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, p.err
		}
		select {
		case p.free <- struct{}{}:
		case <-p.closed:
		}
	}
	return n, nil
}

func (p *pump) Write(b []byte) (int, error) {
	select {
	case <-p.closed:
		return 0, os.ErrClosed
	default:
	}
	return p.rw.Write(b)
}

func (p *pump) SetReadDeadline(t time.Time) error {
	p.deadline.set(t)
	return nil
}

// SetWriteDeadline accepts t and ignores it: a Write into a stream without
// deadlines cannot be interrupted.
func (p *pump) SetWriteDeadline(time.Time) error { return nil }

func (p *pump) close() error {
	var err error
	p.once.Do(func() {
		close(p.closed)
		p.deadline.set(time.Time{})
		if c, ok := p.rw.(io.Closer); ok {
			err = c.Close()
		}
	})
	return err
}

// deadline is a settable point in time with a channel that is closed once
// it has passed.
type deadline struct {
	mu     sync.Mutex
	timer  *time.Timer
	passed chan struct{} // closed when the deadline passes; nil until first needed
}

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		// The timer fired: its channel is (or is about to be) closed.
		d.passed = nil
	}
	d.timer = nil
	if d.passed != nil && isClosed(d.passed) {
		d.passed = nil
	}
	if d.passed == nil {
		d.passed = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		close(d.passed)
		return
	}
	passed := d.passed
	d.timer = time.AfterFunc(wait, func() {
		// Runs even when set has moved on to a new channel after failing to
		// stop this timer: whoever waits on this one must wake.
		d.mu.Lock()
		defer d.mu.Unlock()
		if !isClosed(passed) {
			close(passed)
		}
	})
}

func (d *deadline) expired() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.passed == nil {
		d.passed = make(chan struct{})
	}
	return d.passed
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
