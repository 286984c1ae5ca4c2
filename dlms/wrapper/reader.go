package wrapper

import (
	"errors"
	"io"
)

// Reader cuts a byte stream into wrapper frames. It copes with frames split
// across reads and with several frames in one read, and can be called again
// after a read error that is not final (a passed deadline): what it has
// buffered stays.
//
// A header error (wrong version, APDU too long) leaves the stream out of
// step, as the frame's end cannot be known; it is returned from then on.
type Reader struct {
	r          io.Reader
	max        int
	buf        []byte
	start, end int
	err        error // sticky: the stream is out of step
}

// NewReader returns a Reader of r that accepts APDUs up to maxAPDU bytes
// (0 or less means MaxAPDULen).
func NewReader(r io.Reader, maxAPDU int) *Reader {
	if maxAPDU <= 0 || maxAPDU > MaxAPDULen {
		maxAPDU = MaxAPDULen
	}
	return &Reader{r: r, max: maxAPDU, buf: make([]byte, min(4096, HeaderLen+maxAPDU))}
}

// ReadFrame returns the next frame. Its APDU aliases the Reader's buffer
// and is valid until the next call. At the end of the stream it returns
// io.EOF between frames and io.ErrUnexpectedEOF inside one.
func (r *Reader) ReadFrame() (Frame, error) {
	if r.err != nil {
		return Frame{}, r.err
	}
	for {
		f, n, err := DecodeFrame(r.buf[r.start:r.end], r.max)
		if err == nil {
			r.start += n
			return f, nil
		}
		if !errors.Is(err, ErrTruncated) {
			r.err = err
			return Frame{}, err
		}
		if err := r.fill(); err != nil {
			return Frame{}, err
		}
	}
}

// fill makes room for the frame at start (its length is known once the
// header is in) and reads once.
func (r *Reader) fill() error {
	need := HeaderLen
	if r.end-r.start >= HeaderLen {
		// DecodeFrame checked the length field against max: this is bounded.
		need += int(r.buf[r.start+6])<<8 | int(r.buf[r.start+7])
	}
	switch {
	case r.start == r.end:
		r.start, r.end = 0, 0
	case r.start+need > len(r.buf):
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	if need > len(r.buf) {
		grown := make([]byte, need)
		r.end = copy(grown, r.buf[r.start:r.end])
		r.start, r.buf = 0, grown
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.end += n
	switch {
	case n > 0 || err == nil:
		return nil
	case err == io.EOF && r.end > r.start:
		return io.ErrUnexpectedEOF
	default:
		return err
	}
}
