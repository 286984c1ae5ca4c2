package wrapper

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	// Version is the only wrapper header version (IEC 62056-47 5.3.2).
	Version = 0x0001
	// HeaderLen is the length of the wrapper header in bytes.
	HeaderLen = 8
	// MaxAPDULen is the longest APDU the 16-bit length field can carry.
	MaxAPDULen = 0xFFFF
	// DefaultPort is the IANA TCP port of DLMS/COSEM.
	DefaultPort = 4059
)

// Frame is one wrapper protocol data unit (WPDU).
type Frame struct {
	Source uint16 // wPort of the sending application process
	Dest   uint16 // wPort of the receiving application process
	APDU   []byte // the application data; aliases the decoded input
}

// Sentinels that errors from this package match with errors.Is.
var (
	// ErrTruncated: the input ends before the frame does.
	ErrTruncated = errors.New("wrapper: truncated frame")
	// ErrVersion: the header's version is not 0x0001.
	ErrVersion = errors.New("wrapper: unsupported header version")
	// ErrTooLong: the APDU is longer than the configured maximum.
	ErrTooLong = errors.New("wrapper: APDU longer than the maximum")
	// ErrDestination: the frame is addressed to another wPort.
	ErrDestination = errors.New("wrapper: frame for another wPort")
	// ErrSource: the frame comes from a wPort this end does not talk to.
	ErrSource = errors.New("wrapper: frame from an unexpected wPort")
)

// Header is the decoded wrapper header of a frame that was rejected.
type Header struct {
	Version, Source, Dest, Length uint16
}

// HeaderError reports a frame rejected for what its header says. Err is
// one of the package's sentinels.
type HeaderError struct {
	Header Header
	Err    error
}

func (e *HeaderError) Error() string {
	h := e.Header
	return fmt.Sprintf("wrapper: header version %d source %d destination %d length %d: %v",
		h.Version, h.Source, h.Dest, h.Length, e.Err)
}

func (e *HeaderError) Unwrap() error { return e.Err }

// AppendFrame appends f encoded as a WPDU to dst.
func AppendFrame(dst []byte, f Frame) ([]byte, error) {
	if len(f.APDU) > MaxAPDULen {
		return dst, fmt.Errorf("wrapper: APDU of %d bytes: %w", len(f.APDU), ErrTooLong)
	}
	dst = binary.BigEndian.AppendUint16(dst, Version)
	dst = binary.BigEndian.AppendUint16(dst, f.Source)
	dst = binary.BigEndian.AppendUint16(dst, f.Dest)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(f.APDU)))
	return append(dst, f.APDU...), nil
}

// DecodeFrame decodes the frame at the start of b and returns it with the
// number of bytes it took. maxAPDU caps the length field (0 or less means
// MaxAPDULen). An incomplete frame yields an error matching ErrTruncated
// (wait for more input); a bad header yields a *HeaderError. The returned
// APDU aliases b.
func DecodeFrame(b []byte, maxAPDU int) (Frame, int, error) {
	if len(b) < HeaderLen {
		return Frame{}, 0, ErrTruncated
	}
	h := Header{
		Version: binary.BigEndian.Uint16(b[0:]),
		Source:  binary.BigEndian.Uint16(b[2:]),
		Dest:    binary.BigEndian.Uint16(b[4:]),
		Length:  binary.BigEndian.Uint16(b[6:]),
	}
	if h.Version != Version {
		return Frame{}, 0, &HeaderError{Header: h, Err: ErrVersion}
	}
	if maxAPDU <= 0 {
		maxAPDU = MaxAPDULen
	}
	if int(h.Length) > maxAPDU {
		return Frame{}, 0, &HeaderError{Header: h, Err: ErrTooLong}
	}
	n := HeaderLen + int(h.Length)
	if len(b) < n {
		return Frame{}, 0, ErrTruncated
	}
	return Frame{Source: h.Source, Dest: h.Dest, APDU: b[HeaderLen:n:n]}, n, nil
}
