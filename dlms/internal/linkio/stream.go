package linkio

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"time"
)

// Stream is a byte stream whose blocking calls deadlines can cut short; a
// call that passes its deadline returns an error matching
// os.ErrDeadlineExceeded.
type Stream interface {
	io.ReadWriter
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

// New returns rw as a Stream: rw itself when it has deadlines, otherwise an
// adapter whose Reads honour deadlines (see the package comment). An
// *os.File on a descriptor that cannot poll says so with os.ErrNoDeadline
// and is adapted too.
func New(rw io.ReadWriter) Stream {
	if s, ok := rw.(Stream); ok && !errors.Is(s.SetReadDeadline(time.Time{}), os.ErrNoDeadline) {
		return s
	}
	return newPump(rw)
}

// Close closes the stream underneath s when it can be closed, and stops the
// adapter New may have put around it.
func Close(s Stream) error {
	if p, ok := s.(*pump); ok {
		return p.close()
	}
	if c, ok := s.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// aLongTimeAgo is a deadline in the past: setting it makes a blocked call
// return immediately.
var aLongTimeAgo = time.Unix(1, 0)

// Read runs op, one or more blocking Reads from s, under ctx: the read
// deadline is the earlier of ctx's deadline and limit (zero: none), and
// cancelling ctx interrupts op. When ctx ended op, Read returns ctx's
// error; otherwise op's error, which matches os.ErrDeadlineExceeded when
// limit passed.
func Read(ctx context.Context, s Stream, limit time.Time, op func() error) error {
	return do(ctx, s, false, limit, op)
}

// Write is Read for blocking Writes to s, under its write deadline.
func Write(ctx context.Context, s Stream, limit time.Time, op func() error) error {
	return do(ctx, s, true, limit, op)
}

func do(ctx context.Context, s Stream, write bool, limit time.Time, op func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d, ctxDeadline := limit, false
	if cd, ok := ctx.Deadline(); ok && (d.IsZero() || !d.Before(cd)) {
		d, ctxDeadline = cd, true
	}
	// An error here means the stream is closed (net.Pipe says so when either
	// end is); op then reports it as the stream sees it.
	_ = setDeadline(s, write, d)
	if ctx.Done() == nil {
		return op() // no deadline and no cancellation: nothing to translate
	}
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = setDeadline(s, write, aLongTimeAgo) // op's own error reports the outcome
		close(interrupted)
	})
	err := op()
	if !stop() {
		// The interrupt ran (or is running): wait for it so that it cannot
		// move the deadline of a later call.
		<-interrupted
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case ctxDeadline && errors.Is(err, os.ErrDeadlineExceeded):
		// The stream's clock reached ctx's deadline before ctx noticed.
		return context.DeadlineExceeded
	}
	return err
}

func setDeadline(s Stream, write bool, t time.Time) error {
	if write {
		return s.SetWriteDeadline(t)
	}
	return s.SetReadDeadline(t)
}

// DialTCP connects to addr over TCP and opens a link on the connection
// with open, closing the connection when open fails. A dial error is the
// *net.OpError, which names the address.
func DialTCP[C any](ctx context.Context, addr string, open func(net.Conn) (C, error)) (C, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var zero C
		return zero, err
	}
	c, err := open(nc)
	if err != nil {
		return c, errors.Join(err, nc.Close())
	}
	return c, nil
}
