package hdlc

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// readAll reads frames until the stream ends, noting each frame as its
// String and each rejected frame as its error.
func readAll(r *Reader) ([]string, error) {
	var got []string
	for {
		f, err := r.ReadFrame()
		var fe *FrameError
		switch {
		case errors.As(err, &fe):
			got = append(got, "error: "+err.Error())
		case err != nil:
			return got, err
		default:
			got = append(got, describe(f))
		}
	}
}

func TestReaderStreams(t *testing.T) {
	snrm, ua, aarq := unhex(t, kmethySNRM), unhex(t, kmethyUA), unhex(t, kmethyAARQ)
	frames := []string{
		"SNRM 16→1/17 P/F",
		"UA 1/17→16 P/F info=23B [81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01]",
		"I 16→1/17 N(S)=0 N(R)=0 P/F info=34B",
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	corruptLength := bytes.Clone(aarq)
	corruptLength[2] = 0xFF // claims 255 bytes: the HCS gives it away at once
	tests := []struct {
		name string
		in   []byte
		want []string
		end  error
	}{
		{"back to back", cat(snrm, ua, aarq), frames, io.EOF},
		{"shared flags", cat(snrm, ua[1:], aarq[1:]), frames, io.EOF},
		{"fill flags and garbage between frames", cat([]byte("\x00\x7e\x7e"), snrm, []byte("noise"), ua, []byte{0x7E, 0x7E, 0x7E}, aarq, []byte("tail")), frames, io.EOF},
		{"corrupt length before a good frame", cat(corruptLength, snrm),
			[]string{"error: hdlc: frame offset 9: hdlc: header check sequence mismatch", frames[0]}, io.EOF},
		{"corrupt FCS before a good frame", cat(snrm[:len(snrm)-2], []byte{0x00, 0x7E}, ua),
			[]string{"error: hdlc: frame offset 9: hdlc: frame check sequence mismatch", frames[1]}, io.EOF},
		{"end inside a frame", cat(snrm, ua[:20]), frames[:1], io.ErrUnexpectedEOF},
		{"end after a closing flag", snrm, frames[:1], io.EOF},
	}
	for _, tt := range tests {
		for mode, wrap := range map[string]func(io.Reader) io.Reader{
			"whole":    func(r io.Reader) io.Reader { return r },
			"one byte": iotest.OneByteReader,
			"halves":   iotest.HalfReader,
		} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				got, end := readAll(NewReader(wrap(bytes.NewReader(tt.in))))
				if end != tt.end {
					t.Errorf("stream ended with %v, want %v", end, tt.end)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("read\n%q\nwant\n%q", got, tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("item %d: %q, want %q", i, got[i], tt.want[i])
					}
				}
			})
		}
	}
}

func TestReaderLongestFrames(t *testing.T) {
	// Back-to-back frames of the largest size, read in 1000-byte chunks,
	// exercise the buffer's compaction.
	var stream []byte
	for i := range 5 {
		info := bytes.Repeat([]byte{byte(i)}, MaxMaxInfo)
		stream, _ = AppendFrame(stream, Frame{Kind: KindI, NS: uint8(i), Dest: Address{Upper: 1, Lower: 0x3FFF}, Src: ClientAddress(16), Info: info})
	}
	r := NewReader(&chunkReader{b: stream, n: 1000})
	for i := range 5 {
		f, err := r.ReadFrame()
		if err != nil || len(f.Info) != MaxMaxInfo || f.Info[0] != byte(i) || f.NS != uint8(i) {
			t.Fatalf("frame %d: %v, %v", i, f, err)
		}
	}
	if _, err := r.ReadFrame(); err != io.EOF {
		t.Errorf("after the frames: %v, want io.EOF", err)
	}
}

type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[n:]
	return n, nil
}
