package hestest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/hes/registry"
)

// ErrOffline is what dialing an offline meter returns.
var ErrOffline = errors.New("hestest: meter offline")

// Fleet holds test meters by address and connects to them in memory.
type Fleet struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	meters  map[string]*Meter // by host:port
	offline map[string]bool
	dials   map[string]int
}

// NewFleet returns an empty fleet; Close stops the connections it served.
func NewFleet() *Fleet {
	ctx, cancel := context.WithCancel(context.Background())
	return &Fleet{ctx: ctx, cancel: cancel, meters: map[string]*Meter{}, offline: map[string]bool{}, dials: map[string]int{}}
}

// Add makes m reachable at hostPort.
func (f *Fleet) Add(hostPort string, m *Meter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.meters[hostPort] = m
}

// SetOffline makes the meter at hostPort unreachable (or reachable again).
func (f *Fleet) SetOffline(hostPort string, off bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offline[hostPort] = off
}

// Dials returns how often the meter at hostPort was dialed.
func (f *Fleet) Dials(hostPort string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dials[hostPort]
}

// Dial connects to the meter at a.HostPort over net.Pipe with the TCP
// wrapper, as the head-end's dialer does over TCP.
func (f *Fleet) Dial(ctx context.Context, a registry.Address) (dlms.Transport, error) {
	f.mu.Lock()
	m, ok := f.meters[a.HostPort]
	off := f.offline[a.HostPort]
	f.dials[a.HostPort]++
	f.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("dial %s: no such meter: %w", a.HostPort, ErrOffline)
	}
	if off {
		return nil, fmt.Errorf("dial %s: %w", a.HostPort, ErrOffline)
	}
	client, server := net.Pipe()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		m.ServeConn(f.ctx, server)
	}()
	return wrapper.NewClient(client, wrapper.Config{Client: a.Client})
}

// Close ends every served connection and waits for them.
func (f *Fleet) Close() {
	f.cancel()
	f.wg.Wait()
}
