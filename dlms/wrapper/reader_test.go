package wrapper

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// frames builds a stream of frames whose APDUs have the given sizes; APDU k
// is filled with byte k.
func frames(t testing.TB, sizes ...int) ([]byte, [][]byte) {
	t.Helper()
	var stream []byte
	var apdus [][]byte
	for k, n := range sizes {
		apdu := bytes.Repeat([]byte{byte(k)}, n)
		var err error
		stream, err = AppendFrame(stream, Frame{Source: 16, Dest: 1, APDU: apdu})
		if err != nil {
			t.Fatal(err)
		}
		apdus = append(apdus, apdu)
	}
	return stream, apdus
}

func readAll(r *Reader) ([][]byte, error) {
	var got [][]byte
	for {
		f, err := r.ReadFrame()
		if err != nil {
			return got, err
		}
		got = append(got, bytes.Clone(f.APDU))
	}
}

func TestReaderSplitsAndJoins(t *testing.T) {
	stream, want := frames(t, 1, 0, 300, 5000, MaxAPDULen, 2)
	readers := map[string]io.Reader{
		"whole stream in one read": bytes.NewReader(stream),
		"one byte per read":        iotest.OneByteReader(bytes.NewReader(stream)),
		"half the bytes per read":  iotest.HalfReader(bytes.NewReader(stream)),
	}
	for name, src := range readers {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(NewReader(src, 0))
			if err != io.EOF {
				t.Fatalf("final error = %v, want io.EOF", err)
			}
			if len(got) != len(want) {
				t.Fatalf("read %d frames, want %d", len(got), len(want))
			}
			for k := range want {
				if !bytes.Equal(got[k], want[k]) {
					t.Errorf("frame %d: %d bytes, want %d", k, len(got[k]), len(want[k]))
				}
			}
		})
	}
}

func TestReaderEndOfStreamInsideFrame(t *testing.T) {
	stream, _ := frames(t, 10, 10)
	r := NewReader(bytes.NewReader(stream[:len(stream)-3]), 0)
	if _, err := r.ReadFrame(); err != nil {
		t.Fatalf("first frame: %v", err)
	}
	if _, err := r.ReadFrame(); err != io.ErrUnexpectedEOF {
		t.Errorf("second frame error = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestReaderHeaderErrorIsFinal(t *testing.T) {
	stream, _ := frames(t, 4)
	stream = append(stream, unhex(t, "0002 0010 0001 0001 C0")...)
	stream = append(stream, unhex(t, "0001 0010 0001 0001 C0")...)
	r := NewReader(bytes.NewReader(stream), 0)
	if _, err := r.ReadFrame(); err != nil {
		t.Fatalf("first frame: %v", err)
	}
	for i := range 2 {
		if _, err := r.ReadFrame(); !errors.Is(err, ErrVersion) {
			t.Fatalf("read %d after the bad header: error = %v, want ErrVersion", i, err)
		}
	}
}

func TestReaderKeepsStateAcrossTimeouts(t *testing.T) {
	stream, want := frames(t, 700)
	// The first read brings half a frame, the second fails as a passed
	// deadline would, the third brings the rest.
	r := NewReader(&scriptedReader{chunks: [][]byte{stream[:350], nil, stream[350:]}, errs: []error{nil, iotest.ErrTimeout, nil}}, 0)
	if _, err := r.ReadFrame(); err != iotest.ErrTimeout {
		t.Fatalf("first ReadFrame error = %v, want the timeout", err)
	}
	f, err := r.ReadFrame()
	if err != nil || !bytes.Equal(f.APDU, want[0]) {
		t.Fatalf("second ReadFrame = %d bytes, %v; want the whole 700-byte APDU", len(f.APDU), err)
	}
}

// scriptedReader returns chunks[i] with errs[i] on its i-th Read, then io.EOF.
type scriptedReader struct {
	chunks [][]byte
	errs   []error
}

func (s *scriptedReader) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.chunks[0])
	if n < len(s.chunks[0]) {
		s.chunks[0] = s.chunks[0][n:]
		return n, nil
	}
	err := s.errs[0]
	s.chunks, s.errs = s.chunks[1:], s.errs[1:]
	return n, err
}
