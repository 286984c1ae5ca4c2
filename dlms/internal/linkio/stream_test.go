package linkio

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"
)

// plain is a stream without deadlines: one io.Pipe to read, one to write.
type plain struct {
	*io.PipeReader
	*io.PipeWriter
}

func (p plain) Close() error {
	p.PipeReader.Close()
	return p.PipeWriter.Close()
}

func TestNewKeepsStreamsWithDeadlines(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if s := New(a); s != a {
		t.Errorf("New(net.Pipe end) = %T, want the conn itself", s)
	}
	r, w := io.Pipe()
	if _, ok := New(plain{r, w}).(*pump); !ok {
		t.Errorf("New(stream without deadlines) is not adapted")
	}
}

func TestPumpDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, w := io.Pipe()
		s := New(plain{r, w})
		defer Close(s)
		buf := make([]byte, 8)

		start := time.Now()
		s.SetReadDeadline(start.Add(2 * time.Second))
		if _, err := s.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read past its deadline: error = %v, want os.ErrDeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 2*time.Second {
			t.Errorf("Read returned after %v, want 2s", waited)
		}

		// A deadline already passed fails at once; clearing it lets data in.
		s.SetReadDeadline(start)
		if _, err := s.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read with a passed deadline: error = %v", err)
		}
		s.SetReadDeadline(time.Time{})
		go w.Write([]byte("0123456789"))
		n, err := s.Read(buf)
		if err != nil || string(buf[:n]) != "01234567" {
			t.Fatalf("Read = %q, %v; want the first 8 bytes", buf[:n], err)
		}
		n, err = s.Read(buf)
		if err != nil || string(buf[:n]) != "89" {
			t.Fatalf("Read = %q, %v; want the remaining 2 bytes", buf[:n], err)
		}

		// A deadline moved while a Read waits takes effect.
		go func() {
			time.Sleep(time.Second)
			s.SetReadDeadline(time.Now())
		}()
		if _, err := s.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read whose deadline was moved to now: error = %v", err)
		}

		w.CloseWithError(io.ErrUnexpectedEOF)
		s.SetReadDeadline(time.Time{})
		for range 2 {
			if _, err := s.Read(buf); err != io.ErrUnexpectedEOF {
				t.Fatalf("Read after the stream failed: error = %v, want its error every time", err)
			}
		}
	})
}

func TestReadCancelsAndReportsTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		buf := make([]byte, 1)
		read := func() error { _, err := a.Read(buf); return err }

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := Read(ctx, a, time.Time{}, read); err != context.DeadlineExceeded {
			t.Errorf("Read under a 1 s context: error = %v, want context.DeadlineExceeded", err)
		}

		start := time.Now()
		err := Read(context.Background(), a, start.Add(5*time.Second), read)
		if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != 5*time.Second {
			t.Errorf("Read with a 5 s limit: error = %v after %v, want os.ErrDeadlineExceeded after 5s", err, time.Since(start))
		}

		ctx, cancel = context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		if err := Read(ctx, a, start.Add(time.Hour), read); err != context.Canceled {
			t.Errorf("Read cancelled: error = %v, want context.Canceled", err)
		}

		// The interruption does not leak into the next call.
		go b.Write([]byte{7})
		if err := Read(context.Background(), a, time.Time{}, read); err != nil || buf[0] != 7 {
			t.Errorf("Read after a cancellation = %v, byte %d; want the byte 7", err, buf[0])
		}
	})
}

func TestCloseStopsThePump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, w := io.Pipe()
		s := New(plain{r, w})
		done := make(chan error)
		go func() {
			_, err := s.Read(make([]byte, 1))
			done <- err
		}()
		synctest.Wait()
		if err := Close(s); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err == nil {
			t.Error("Read blocked in a closed stream returned no error")
		}
		if _, err := s.Write([]byte{1}); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Write after Close: error = %v, want os.ErrClosed", err)
		}
	})
}
