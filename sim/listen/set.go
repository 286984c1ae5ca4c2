package listen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// Handler serves one accepted connection of listener id; it owns c.
type Handler func(ctx context.Context, id int, c net.Conn)

// ErrClosed is returned by Listen after Serve has ended.
var ErrClosed = errors.New("listen: set closed")

// Set is a set of listeners served by Serve.
type Set struct {
	handle Handler
	poll   poller

	mu      sync.Mutex
	lns     map[int]*net.TCPListener
	closed  bool          // no more Listen or Serve
	running bool          // Serve is waiting
	stop    chan struct{} // closed by Close: Serve returns
	done    chan struct{} // closed once everything is shut
	err     error         // of the shutdown

	wg sync.WaitGroup // accepts and handlers in flight
}

// New returns an empty set whose connections go to handle.
func New(handle Handler) (*Set, error) {
	s := &Set{handle: handle, lns: map[int]*net.TCPListener{}, stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.poll.open(); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return s, nil
}

// Listen opens a listener on addr ("127.1.0.7:4059"; port 0 picks one)
// under id, which the handler is given with each of its connections.
func (s *Set) Listen(id int, addr string) (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if _, dup := s.lns[id]; dup {
		return nil, fmt.Errorf("listen: id %d already listens", id)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	tl := ln.(*net.TCPListener)
	if err := s.poll.add(id, tl); err != nil {
		tl.Close()
		return nil, fmt.Errorf("listen: %s: %w", addr, err)
	}
	s.lns[id] = tl
	return tl.Addr(), nil
}

// Len is the number of listeners.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lns)
}

// listener returns listener id (nil once closed).
func (s *Set) listener(id int) *net.TCPListener {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lns[id]
}

// accept takes one pending connection of listener id in a new goroutine
// and runs the handler there; rearm is called once the accept is done.
func (s *Set) accept(ctx context.Context, id int, rearm func()) {
	ln := s.listener(id)
	if ln == nil {
		return
	}
	s.wg.Go(func() {
		c, err := ln.Accept()
		rearm()
		if err != nil {
			return // closed, or the peer went away before we got to it
		}
		s.handle(ctx, id, c)
	})
}

// Serve accepts on every listener until ctx is done or Close is called,
// then closes them and waits for the handlers. It returns ErrClosed if
// the set was already closed.
func (s *Set) Serve(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.running = true
	s.mu.Unlock()
	err := s.poll.wait(ctx, s)
	return errors.Join(err, s.shutdown())
}

// Close closes every listener (ending Serve if it runs) and waits for the
// handlers.
func (s *Set) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return s.err
	}
	s.closed = true
	running := s.running
	close(s.stop)
	s.mu.Unlock()
	if running {
		s.poll.wake()
		<-s.done
		return s.err
	}
	return s.shutdown()
}

// shutdown closes the listeners and the poller once the wait is over.
func (s *Set) shutdown() error {
	s.mu.Lock()
	s.closed = true
	var errs []error
	for id, ln := range s.lns {
		errs = append(errs, s.poll.remove(ln), ln.Close())
		delete(s.lns, id)
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.err = errors.Join(append(errs, s.poll.close())...)
	close(s.done)
	return s.err
}
