package listen

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// poller waits for pending connections with epoll: one-shot, level
// triggered, the listener's id in the event's data.
type poller struct {
	epfd int
	pipe [2]int // a byte in it ends wait
}

const wakeID = -1

func (p *poller) open() error {
	var err error
	if p.epfd, err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC); err != nil {
		return err
	}
	if err = syscall.Pipe2(p.pipe[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(p.epfd)
		return err
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeID}
	if err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, p.pipe[0], &ev); err != nil {
		p.close()
	}
	return err
}

func (p *poller) close() error {
	return errors.Join(syscall.Close(p.epfd), syscall.Close(p.pipe[0]), syscall.Close(p.pipe[1]))
}

// ctl runs an epoll_ctl operation on the listener's descriptor.
func (p *poller) ctl(op, id int, ln *net.TCPListener) error {
	rc, err := ln.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	err = rc.Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLONESHOT, Fd: int32(id)}
		opErr = syscall.EpollCtl(p.epfd, op, int(fd), &ev)
	})
	return errors.Join(err, opErr)
}

func (p *poller) add(id int, ln *net.TCPListener) error {
	return p.ctl(syscall.EPOLL_CTL_ADD, id, ln)
}

func (p *poller) remove(ln *net.TCPListener) error {
	return p.ctl(syscall.EPOLL_CTL_DEL, 0, ln)
}

// wake makes wait return.
func (p *poller) wake() { syscall.Write(p.pipe[1], []byte{1}) }

func (p *poller) wait(ctx context.Context, s *Set) error {
	stop := context.AfterFunc(ctx, p.wake)
	defer stop()
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(p.epfd, events, -1)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range events[:n] {
			id := int(ev.Fd)
			if id == wakeID {
				return nil
			}
			s.accept(ctx, id, func() {
				if ln := s.listener(id); ln != nil {
					p.ctl(syscall.EPOLL_CTL_MOD, id, ln) // fails only once the listener is closed
				}
			})
		}
	}
}
