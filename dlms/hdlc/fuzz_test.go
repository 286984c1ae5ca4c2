package hdlc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{kmethySNRM, kmethyUA, kmethyAARQ} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(checkDecodeFrame)
}

// checkDecodeFrame decodes in: a failure must be a *FrameError pointing
// into the input, and a frame must re-encode to the same bytes.
func checkDecodeFrame(t *testing.T, in []byte) {
	fr, err := DecodeFrame(in)
	if err != nil {
		var fe *FrameError
		if !errors.As(err, &fe) || fe.Offset < 0 || fe.Offset > len(in) {
			t.Fatalf("DecodeFrame error %v is not a *FrameError inside the input", err)
		}
		return
	}
	again, err := AppendFrame(nil, fr)
	if err != nil {
		t.Fatalf("re-encoding %v: %v", fr, err)
	}
	if !bytes.Equal(again, in) {
		t.Fatalf("re-encoded\n% X\ndecoded from\n% X", again, in)
	}
}

// FuzzReader feeds a stream to the Reader whole and in two reads split at a
// fuzzed point: both must give the same frames and errors, and every frame
// must re-encode to a frame that decodes to itself.
func FuzzReader(f *testing.F) {
	f.Add(unhex(f, kmethySNRM+kmethyUA+kmethyAARQ), uint16(20))
	f.Add(unhex(f, kmethySNRM+"7E7E00"+kmethyUA), uint16(12))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		at := int(split) % (len(in) + 1)
		whole, wholeEnd := readAll(NewReader(bytes.NewReader(in)))
		parts, partsEnd := readAll(NewReader(io.MultiReader(bytes.NewReader(in[:at]), bytes.NewReader(in[at:]))))
		if wholeEnd != partsEnd {
			t.Fatalf("stream end: whole %v, split at %d %v", wholeEnd, at, partsEnd)
		}
		if len(whole) != len(parts) {
			t.Fatalf("whole stream gave\n%q\nsplit at %d\n%q", whole, at, parts)
		}
		for i := range whole {
			if whole[i] != parts[i] {
				t.Fatalf("item %d: whole %q, split at %d %q", i, whole[i], at, parts[i])
			}
		}
		r := NewReader(bytes.NewReader(in))
		for {
			fr, err := r.ReadFrame()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return
			}
			if err != nil {
				continue
			}
			enc, err := AppendFrame(nil, fr)
			if err != nil {
				t.Fatalf("re-encoding %v: %v", fr, err)
			}
			if back, err := DecodeFrame(enc); err != nil || !equalFrames(back, fr) {
				t.Fatalf("%v re-encoded decodes to %v, %v", fr, back, err)
			}
		}
	})
}

func FuzzDecodeParams(f *testing.F) {
	f.Add(unhex(f, "81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01"))
	f.Add(unhex(f, "81 80 0C 05 01 80 06 01 40 07 01 07 08 01 03"))
	f.Add(unhex(f, "81 80 07 09 01 AA 05 02 01 00 F0 02 12 34"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := DecodeParams(in)
		if err != nil {
			if !errors.Is(err, ErrParams) {
				t.Fatalf("DecodeParams error %v does not match ErrParams", err)
			}
			return
		}
		back, err := DecodeParams(AppendParams(nil, p))
		if err != nil || back != p {
			t.Fatalf("%+v re-encoded decodes to %+v, %v", p, back, err)
		}
	})
}

// frameStream turns fuzz input into a stream of well-formed frames: the
// input is split at 0x7E and each piece becomes a frame body (see
// frameFromBody), so the fuzzer drives the state machines rather than the
// CRC.
func frameStream(in []byte) []byte {
	var out []byte
	for body := range bytes.SplitSeq(in, []byte{Flag}) {
		out = append(out, frameFromBody(body)...)
	}
	return out
}

// FuzzServer feeds a stream of frames to a server: it must answer or
// ignore every frame and end with the stream, never panic.
func FuzzServer(f *testing.F) {
	// SNRM, an I frame with a GET request, RR, DISC (client 16, server 1).
	f.Add(unhex(f, "A0 00 03 21 93 7E A0 00 03 21 10 E6 E6 00 C0 01 C1 7E A0 00 03 21 31 7E A0 00 03 21 53"))
	f.Add(unhex(f, "A0 00 03 21 93 7E A8 00 03 21 10 E6 E6 00 C0 7E A0 00 03 21 32 01 7E A0 00 03 21 71"))
	f.Fuzz(func(t *testing.T, in []byte) {
		stream := frameStream(in)
		s, err := NewServer(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(stream), io.Discard}, Config{MaxAPDU: 1000, WindowTransmit: 3, MaxInfoTransmit: 32})
		if err != nil {
			t.Fatal(err)
		}
		for range len(stream) + 1 {
			apdu, err := s.ReadAPDU(context.Background())
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return
			}
			if err == nil {
				if err := s.WriteAPDU(context.Background(), bytes.Repeat(apdu, 3)); err != nil &&
					!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrDisconnected) {
					t.Fatalf("WriteAPDU: %v", err)
				}
			}
		}
		t.Fatalf("the server did not reach the end of a %d-byte stream", len(stream))
	})
}

// FuzzClient connects a client to a server that sends the frames the
// input makes: the client must fail or succeed cleanly, never panic.
func FuzzClient(f *testing.F) {
	// UA, then an I frame with a GET response (server 1, client 16).
	f.Add(unhex(f, "A0 00 21 03 73 7E A0 00 21 03 30 E6 E7 00 C4 01 C1 00 06 00 00 00 01"))
	f.Add(unhex(f, "A0 00 21 03 73 81 80 06 07 01 03 08 01 03 7E A8 00 21 03 30 E6 E7 00 C4 7E A0 00 21 03 32 01 02"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(frameStream(in)), io.Discard}
		c, err := Connect(context.Background(), rw, Config{MaxRetries: -1, MaxAPDU: 1000, WindowReceive: 3, WindowTransmit: 3, MaxInfoTransmit: 32})
		if err != nil {
			return
		}
		if err := c.WriteAPDU(context.Background(), make([]byte, 100)); err != nil {
			return
		}
		c.ReadAPDU(context.Background())
	})
}

// FuzzDecodeFrameBody fuzzes what lies behind the check sequences: the
// input is a frame body (format, addresses, control, information) whose
// length field and HCS/FCS are set right before decoding, so that the
// fuzzer explores address, control and length handling instead of
// colliding with the CRC.
func FuzzDecodeFrameBody(f *testing.F) {
	f.Add(unhex(f, "A0 00 00 02 00 23 21 93"))
	f.Add(unhex(f, "A8 00 03 21 10 E6 E6 00 C0 01"))
	f.Add(unhex(f, "A0 00 03 03 03 03 03 03 03"))
	f.Fuzz(func(t *testing.T, body []byte) { checkDecodeFrame(t, frameFromBody(body)) })
}

// frameFromBody wraps a frame body in flags with its length field and
// check sequences made right, as far as the body lets them be.
func frameFromBody(body []byte) []byte {
	if len(body) < 2 || len(body) > MaxFrameLen-4 {
		return append([]byte{Flag}, body...)
	}
	hdr := 2
	for range 2 {
		_, n, err := decodeAddress(body[hdr:])
		if err != nil || n == 0 {
			hdr = -1
			break
		}
		hdr += n
	}
	in := []byte{Flag}
	if hdr < 0 || hdr >= len(body) {
		return appendChecksum(append(in, body...), 1)
	}
	hdr++ // the control byte
	n := len(body) + 2
	if len(body) > hdr {
		n += 2
	}
	in = append(in, body[0]&0xF8|byte(n>>8), byte(n))
	in = append(in, body[2:hdr]...)
	if len(body) > hdr {
		in = appendChecksum(in, 1)
		in = append(in, body[hdr:]...)
	}
	return append(appendChecksum(in, 1), Flag)
}
