//go:build !linux

package listen

import (
	"context"
	"net"
	"sync"
)

// poller runs an accept loop per listener where there is no epoll.
type poller struct {
	mu      sync.Mutex
	ctx     context.Context
	s       *Set
	waiting []pendingListener
}

type pendingListener struct {
	id int
	ln *net.TCPListener
}

func (p *poller) open() error  { return nil }
func (p *poller) close() error { return nil }

func (p *poller) add(id int, ln *net.TCPListener) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx == nil {
		p.waiting = append(p.waiting, pendingListener{id, ln})
		return nil
	}
	p.loop(id, ln)
	return nil
}

// loop accepts on ln until it is closed; called with p.mu held.
func (p *poller) loop(id int, ln *net.TCPListener) {
	ctx, s := p.ctx, p.s
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.handle(ctx, id, c) })
		}
	})
}

func (p *poller) remove(*net.TCPListener) error { return nil }

func (p *poller) wait(ctx context.Context, s *Set) error {
	p.mu.Lock()
	p.ctx, p.s = ctx, s
	for _, w := range p.waiting {
		p.loop(w.id, w.ln)
	}
	p.waiting = nil
	p.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-s.stop:
	}
	return nil
}

func (p *poller) wake() {} // wait watches Set.stop
