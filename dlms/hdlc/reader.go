package hdlc

import (
	"bytes"
	"errors"
	"io"
)

// Reader finds HDLC frames in a byte stream. DLMS/COSEM HDLC has no byte
// stuffing (0x7E may appear inside a frame), so frames are delimited by
// their length field: after an opening flag the Reader checks the format,
// the addresses and the HCS as soon as they arrive, then takes the frame
// length, and checks the closing flag and FCS. A frame that fails any check
// is reported as a *FrameError and the Reader hunts for the next flag from
// the byte after the failed opening flag, so a good frame behind a corrupt
// one is still found. Bytes outside frames, and flags not followed by a
// format field of type 3, are skipped without a report.
//
// Frames may share flags (the closing flag of one is the opening flag of
// the next) and may be split across or joined within reads. A Reader can
// be called again after a read error such as a passed deadline: what it has
// buffered stays. Its buffer has a fixed size: no length field sizes it.
type Reader struct {
	r          io.Reader
	buf        [2 * (MaxFrameLen + flagsAndBody)]byte
	start, end int // buffered bytes; buf[start] is a flag unless start == end
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// ReadFrame returns the next well-formed frame, or a *FrameError for a
// malformed one (call again to go on), or the stream's error. A frame's
// Info aliases the Reader's buffer and is valid until the next call. At the
// end of the stream it returns io.EOF, or io.ErrUnexpectedEOF inside a
// frame.
func (r *Reader) ReadFrame() (Frame, error) {
	for {
		f, complete, err := r.next()
		if err != nil || complete {
			return f, err
		}
		if err := r.fill(); err != nil {
			return Frame{}, err
		}
	}
}

// next takes the frame at the start of the buffer, if it is all there.
func (r *Reader) next() (f Frame, complete bool, err error) {
	var h header
	for {
		i := bytes.IndexByte(r.buf[r.start:r.end], Flag)
		if i < 0 {
			r.start = r.end
			return f, false, nil
		}
		r.start += i
		// Consecutive flags: all but the last are fill or a closing flag.
		for r.end-r.start >= 2 && r.buf[r.start+1] == Flag {
			r.start++
		}
		var ok bool
		h, ok, err = parseHeader(r.buf[r.start:r.end])
		if errors.Is(err, ErrFormat) {
			// A flag not followed by a format field opens no frame: it
			// closed one, or it is a 0x7E in noise. Hunt on quietly.
			r.start++
			continue
		}
		if err != nil {
			r.start++ // hunt for the next flag after this false start
			return f, false, err
		}
		if !ok {
			return f, false, nil
		}
		break
	}
	b := r.buf[r.start:r.end]
	if len(b) < h.length+flagsAndBody {
		return f, false, nil
	}
	f, err = DecodeFrame(b[:h.length+flagsAndBody])
	if err != nil {
		r.start++
		return f, false, err
	}
	r.start += h.length + 1 // the closing flag may open the next frame
	return f, true, nil
}

// fill reads once into the free end of the buffer, first moving the
// buffered bytes to the front when a whole frame might not fit behind them.
func (r *Reader) fill() error {
	if r.start == r.end {
		r.start, r.end = 0, 0
	} else if len(r.buf)-r.start < MaxFrameLen+flagsAndBody {
		r.end = copy(r.buf[:], r.buf[r.start:r.end])
		r.start = 0
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.end += n
	switch {
	case n > 0 || err == nil:
		return nil
	case err == io.EOF && r.partial():
		return io.ErrUnexpectedEOF
	default:
		return err
	}
}

// partial tells whether bytes of an unfinished frame are buffered (more
// than the flag a finished frame leaves behind).
func (r *Reader) partial() bool { return r.end-r.start > 1 }
