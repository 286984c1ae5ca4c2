package hdlc

import (
	"errors"
	"fmt"
)

const (
	// Flag opens and closes every frame.
	Flag = 0x7E
	// MaxFrameLen is the largest value of the 11-bit frame length field:
	// the bytes between the flags.
	MaxFrameLen = 0x7FF

	formatType3  = 0xA0 // frame format type 3 in the high nibble
	segmentBit   = 0x08 // S: more segments of this APDU follow
	minFrameLen  = 2 + 1 + 1 + 1 + 2
	flagsAndBody = 2 // opening and closing flag around the frame length
)

// Frame is one HDLC frame of format type 3 (Green Book 8.4.1).
type Frame struct {
	Kind Kind
	// PF is the poll bit of a command (from the client) or the final bit
	// of a response (from the server).
	PF bool
	// NS and NR are the send and receive sequence numbers (0…7): NS in I
	// frames, NR in I, RR and RNR frames.
	NS, NR uint8
	// Segmented is the S bit of the format field: the information field
	// is a segment of an APDU and more segments follow.
	Segmented bool
	Dest, Src Address
	// Info is the information field; a decoded frame's aliases the input.
	Info []byte
}

// Sentinels that errors from this package match with errors.Is.
var (
	ErrFlag    = errors.New("hdlc: missing flag")
	ErrFormat  = errors.New("hdlc: not frame format type 3")
	ErrLength  = errors.New("hdlc: frame length does not match the frame")
	ErrAddress = errors.New("hdlc: malformed address")
	ErrControl = errors.New("hdlc: unsupported control field")
	ErrHCS     = errors.New("hdlc: header check sequence mismatch")
	ErrFCS     = errors.New("hdlc: frame check sequence mismatch")
	ErrParams  = errors.New("hdlc: malformed parameter negotiation field")
)

// FrameError reports a frame that was rejected: Offset is the byte in the
// frame (counting the opening flag) where the problem is, Err one of the
// sentinels above.
type FrameError struct {
	Offset int
	Err    error
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("hdlc: frame offset %d: %v", e.Offset, e.Err)
}

func (e *FrameError) Unwrap() error { return e.Err }

func frameErr(off int, err error) error { return &FrameError{Offset: off, Err: err} }

// AppendFrame appends f, flags included, to dst. An information field is
// preceded by the HCS; a frame without one carries only the FCS.
func AppendFrame(dst []byte, f Frame) ([]byte, error) {
	ctl, err := f.control()
	if err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, Flag, 0, 0) // the format field is filled in below
	if dst, err = appendAddress(dst, f.Dest); err != nil {
		return dst[:start], err
	}
	if dst, err = appendAddress(dst, f.Src); err != nil {
		return dst[:start], err
	}
	dst = append(dst, ctl)
	n := len(dst) - start - 1 + 2 // format … control, and the FCS
	if len(f.Info) > 0 {
		n += 2 + len(f.Info)
	}
	if n > MaxFrameLen {
		return dst[:start], fmt.Errorf("hdlc: frame of %d bytes with a %d-byte information field: %w", n, len(f.Info), ErrLength)
	}
	format := formatType3<<8 | n
	if f.Segmented {
		format |= segmentBit << 8
	}
	dst[start+1], dst[start+2] = byte(format>>8), byte(format)
	if len(f.Info) > 0 {
		dst = appendChecksum(dst, start+1)
		dst = append(dst, f.Info...)
	}
	dst = appendChecksum(dst, start+1)
	return append(dst, Flag), nil
}

// header is what the bytes after an opening flag say about a frame.
type header struct {
	length  int  // the frame length field
	ctl     int  // offset of the control byte from the opening flag
	hasInfo bool // an HCS and an information field follow the control byte
}

// parseHeader checks the header of the frame whose opening flag is b[0],
// as far as b goes. It returns ok=false when b ends before the header (and
// the HCS, when there is one) does.
func parseHeader(b []byte) (h header, ok bool, err error) {
	if len(b) < 3 {
		return h, false, nil
	}
	if b[1]&0xF0 != formatType3 {
		return h, false, frameErr(1, ErrFormat)
	}
	h.length = int(b[1]&0x07)<<8 | int(b[2])
	if h.length < minFrameLen {
		return h, false, frameErr(1, ErrLength)
	}
	off := 3
	for range 2 { // destination, then source
		_, n, err := decodeAddress(b[off:])
		if err != nil {
			return h, false, frameErr(off, err)
		}
		if n == 0 {
			return h, false, nil
		}
		off += n
	}
	h.ctl = off
	// Between the control byte and the closing flag: nothing but the FCS,
	// or the HCS, at least one information byte and the FCS.
	switch rest := h.length + 1 - (off + 1); {
	case rest == 2:
	case rest >= 5:
		h.hasInfo = true
	default:
		return h, false, frameErr(1, ErrLength)
	}
	if !h.hasInfo {
		return h, true, nil
	}
	if len(b) < off+3 {
		return h, false, nil
	}
	if fcsUpdate(fcsInit, b[1:off+3]) != fcsGood {
		return h, false, frameErr(off+1, ErrHCS)
	}
	return h, true, nil
}

// DecodeFrame decodes one whole frame, opening and closing flags included.
// It checks the format, the length, both addresses, the control field and
// both check sequences. The Info of the result aliases b.
func DecodeFrame(b []byte) (Frame, error) {
	if len(b) < minFrameLen+flagsAndBody || b[0] != Flag {
		return Frame{}, frameErr(0, ErrFlag)
	}
	h, ok, err := parseHeader(b)
	if err != nil {
		return Frame{}, err
	}
	if !ok || h.length+flagsAndBody != len(b) {
		return Frame{}, frameErr(1, ErrLength)
	}
	if b[len(b)-1] != Flag {
		return Frame{}, frameErr(len(b)-1, ErrFlag)
	}
	if fcsUpdate(fcsInit, b[1:len(b)-1]) != fcsGood {
		return Frame{}, frameErr(len(b)-3, ErrFCS)
	}
	var f Frame
	f.Segmented = b[1]&segmentBit != 0
	f.Dest, _, _ = decodeAddress(b[3:])
	f.Src, _, _ = decodeAddress(b[3+f.Dest.Size:])
	if err := f.setControl(b[h.ctl]); err != nil {
		return Frame{}, frameErr(h.ctl, err)
	}
	if h.hasInfo {
		f.Info = b[h.ctl+3 : len(b)-3 : len(b)-3]
	}
	return f, nil
}

func (f Frame) String() string {
	s := fmt.Sprintf("%v %v→%v", f.Kind, f.Src, f.Dest)
	switch f.Kind {
	case KindI:
		s += fmt.Sprintf(" N(S)=%d N(R)=%d", f.NS, f.NR)
	case KindRR, KindRNR:
		s += fmt.Sprintf(" N(R)=%d", f.NR)
	}
	if f.PF {
		s += " P/F"
	}
	if f.Segmented {
		s += " S"
	}
	if len(f.Info) > 0 {
		s += fmt.Sprintf(" info=%dB", len(f.Info))
	}
	return s
}
