package apdu

import (
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// APDU tags (Green Book §9.5, the xDLMS-APDU and ACSE-APDU CHOICEs).
const (
	TagInitiateRequest       byte = 0x01
	TagInitiateResponse      byte = 0x08
	TagConfirmedServiceError byte = 0x0E
	TagDataNotification      byte = 0x0F
	TagAARQ                  byte = 0x60
	TagAARE                  byte = 0x61
	TagRLRQ                  byte = 0x62
	TagRLRE                  byte = 0x63
	TagGetRequest            byte = 0xC0
	TagSetRequest            byte = 0xC1
	TagEventNotification     byte = 0xC2
	TagActionRequest         byte = 0xC3
	TagGetResponse           byte = 0xC4
	TagSetResponse           byte = 0xC5
	TagActionResponse        byte = 0xC7
	TagExceptionResponse     byte = 0xD8
	TagGeneralGloCiphering   byte = 0xDB
	TagGeneralDedCiphering   byte = 0xDC
)

// Sentinel errors of APDU decoding, wrapped with the place they occurred
// (and, for A-XDR errors, an *axdr.DecodeError with the offset).
var (
	ErrUnknown   = errors.New("dlms: unknown APDU")
	ErrBadChoice = errors.New("dlms: unknown choice")
	ErrTrailing  = errors.New("dlms: trailing bytes")
	ErrEncode    = errors.New("dlms: cannot encode")
)

// APDU is any APDU this package encodes and decodes.
type APDU interface {
	// Append appends the encoded APDU to dst.
	Append(dst []byte) ([]byte, error)
	// Decode replaces the receiver with the APDU in b, reusing its
	// slices. Byte views in the result alias b.
	Decode(b []byte) error
	// String renders the APDU as a readable tree for traces.
	String() string
}

// New returns an empty APDU of the type that tag starts, or nil.
func New(tag byte) APDU {
	switch tag {
	case TagGetRequest:
		return new(GetRequest)
	case TagGetResponse:
		return new(GetResponse)
	case TagSetRequest:
		return new(SetRequest)
	case TagSetResponse:
		return new(SetResponse)
	case TagActionRequest:
		return new(ActionRequest)
	case TagActionResponse:
		return new(ActionResponse)
	case TagDataNotification:
		return new(DataNotification)
	case TagEventNotification:
		return new(EventNotification)
	case TagExceptionResponse:
		return new(ExceptionResponse)
	case TagConfirmedServiceError:
		return new(ConfirmedServiceError)
	case TagAARQ:
		return new(AARQ)
	case TagAARE:
		return new(AARE)
	case TagRLRQ:
		return new(RLRQ)
	case TagRLRE:
		return new(RLRE)
	case TagInitiateRequest:
		return new(InitiateRequest)
	case TagInitiateResponse:
		return new(InitiateResponse)
	}
	if _, ok := cipheredTags[tag]; ok || tag == TagGeneralGloCiphering || tag == TagGeneralDedCiphering {
		return new(Ciphered)
	}
	return nil
}

// Decode decodes any APDU this package knows. It allocates the result;
// hot paths keep a typed APDU and call its Decode method instead.
func Decode(b []byte) (APDU, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("APDU: %w", &axdr.DecodeError{Err: axdr.ErrTruncated})
	}
	a := New(b[0])
	if a == nil {
		return nil, fmt.Errorf("APDU: %w: tag 0x%02X", ErrUnknown, b[0])
	}
	if err := a.Decode(b); err != nil {
		return nil, err
	}
	return a, nil
}

// InvokeIDAndPriority is the one-byte Invoke-Id-And-Priority: bits 0–3 the
// invoke id, bit 6 the service class (1 = confirmed), bit 7 the priority
// (1 = high).
type InvokeIDAndPriority uint8

// Flags of InvokeIDAndPriority.
const (
	Confirmed    InvokeIDAndPriority = 0x40
	HighPriority InvokeIDAndPriority = 0x80
)

// ID returns the invoke id (0–15).
func (p InvokeIDAndPriority) ID() uint8 { return uint8(p & 0x0F) }

func (p InvokeIDAndPriority) String() string {
	s := fmt.Sprintf("invoke-id=%d", p.ID())
	if p&Confirmed != 0 {
		s += " confirmed"
	} else {
		s += " unconfirmed"
	}
	if p&HighPriority != 0 {
		s += " high-priority"
	}
	if p&0x30 != 0 {
		s += fmt.Sprintf(" reserved=%d", p>>4&3)
	}
	return s
}

// LongInvokeIDAndPriority is the four-byte Long-Invoke-Id-And-Priority of
// DataNotification: bits 0–23 the invoke id, bit 28 self-descriptive, bit 29
// processing option (break on error), bit 30 confirmed, bit 31 high
// priority.
type LongInvokeIDAndPriority uint32

// ID returns the 24-bit invoke id.
func (p LongInvokeIDAndPriority) ID() uint32 { return uint32(p) & 0xFFFFFF }

func (p LongInvokeIDAndPriority) String() string {
	s := fmt.Sprintf("long-invoke-id=%d", p.ID())
	for _, f := range []struct {
		bit  uint32
		name string
	}{{1 << 31, " high-priority"}, {1 << 30, " confirmed"}, {1 << 29, " break-on-error"}, {1 << 28, " self-descriptive"}} {
		if uint32(p)&f.bit != 0 {
			s += f.name
		}
	}
	return s
}

// decoder wraps an axdr.Decoder with the name of the APDU being decoded, so
// that errors say where they happened.
type decoder struct {
	axdr.Decoder
	apdu string
}

func newDecoder(b []byte, apdu string) decoder {
	return decoder{Decoder: axdr.NewDecoder(b), apdu: apdu}
}

// check returns the sticky error wrapped with the APDU name and field.
func (d *decoder) check(field string, args ...any) error {
	err := d.Err()
	if err == nil {
		return nil
	}
	if len(args) > 0 {
		field = fmt.Sprintf(field, args...)
	}
	if field == "" {
		return fmt.Errorf("%s: %w", d.apdu, err)
	}
	return fmt.Errorf("%s.%s: %w", d.apdu, field, err)
}

// header consumes the APDU tag and the CHOICE byte of a service APDU.
func (d *decoder) header(want byte) byte {
	if t := d.Uint8(); t != want && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X, want 0x%02X", ErrUnknown, t, want))
	}
	return d.Uint8()
}

// badService records an unknown service CHOICE, the APDU's second byte.
func (d *decoder) badService(c byte) {
	d.FailAt(1, fmt.Errorf("%w %d", ErrBadChoice, c))
}

// badChoice records an unknown CHOICE value at the byte just read.
func (d *decoder) badChoice(c byte) {
	d.FailAt(d.Offset()-1, fmt.Errorf("%w %d", ErrBadChoice, c))
}

// end fails if bytes are left over.
func (d *decoder) end() error {
	if d.Err() == nil && d.Len() != 0 {
		d.Fail(ErrTrailing)
	}
	return d.check("")
}

// optional consumes the presence byte of an OPTIONAL A-XDR field.
func (d *decoder) optional() bool {
	switch b := d.Uint8(); b {
	case 0:
		return false
	case 1:
		return true
	default:
		if d.Err() == nil {
			d.Fail(fmt.Errorf("%w: OPTIONAL flag %d", ErrBadChoice, b))
		}
		return false
	}
}

// octetString consumes an A-XDR OCTET STRING (length then bytes).
func (d *decoder) octetString() []byte { return d.Bytes(d.Length()) }

// span is a sub-range of a values arena; decoders record spans while the
// arena may still grow and resolve them to slices at the end.
type span struct{ from, to int }

func (s span) of(vals []axdr.Value) []axdr.Value {
	if s.to <= s.from {
		return nil
	}
	return vals[s.from:s.to:s.to]
}

// value decodes one Data into the arena and returns its span.
func (d *decoder) value(arena *[]axdr.Value) span {
	from := len(*arena)
	*arena = d.Value(*arena)
	return span{from, len(*arena)}
}

func appendOptional(dst []byte, present bool) []byte {
	if present {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func appendU32(dst []byte, v uint32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// appendData encodes one Data tree; an empty tree is an encoding error.
func appendData(dst []byte, vals []axdr.Value, what string) ([]byte, error) {
	out, err := axdr.Append(dst, vals)
	if err != nil {
		return dst, fmt.Errorf("%w: %s: %w", ErrEncode, what, err)
	}
	return out, nil
}
