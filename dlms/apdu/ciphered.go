package apdu

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// SecurityControl is the security control byte SC of a ciphered APDU
// (Green Book §9.2.7.2.4.2): bits 0–3 the security suite id, bit 4
// authentication, bit 5 encryption, bit 6 broadcast key, bit 7 compression.
type SecurityControl uint8

const (
	SecurityAuthentication SecurityControl = 0x10
	SecurityEncryption     SecurityControl = 0x20
	SecurityBroadcastKey   SecurityControl = 0x40
	SecurityCompression    SecurityControl = 0x80
	// SecurityAuthenticatedEncryption is the usual policy: 0x30.
	SecurityAuthenticatedEncryption = SecurityAuthentication | SecurityEncryption
)

// Suite returns the security suite id.
func (s SecurityControl) Suite() uint8 { return uint8(s & 0x0F) }

func (s SecurityControl) String() string {
	str := fmt.Sprintf("0x%02X(suite=%d", uint8(s), s.Suite())
	if s&SecurityAuthentication != 0 {
		str += " authenticated"
	}
	if s&SecurityEncryption != 0 {
		str += " encrypted"
	}
	if s&SecurityBroadcastKey != 0 {
		str += " broadcast-key"
	}
	if s&SecurityCompression != 0 {
		str += " compressed"
	}
	return str + ")"
}

// Ciphered APDU tags: glo- (global key) and ded- (dedicated key) forms of
// the services, per the xDLMS-APDU CHOICE.
var cipheredTags = map[byte]struct {
	plain     byte
	dedicated bool
}{
	0x21: {TagInitiateRequest, false}, 0x28: {TagInitiateResponse, false}, 0x2E: {TagConfirmedServiceError, false},
	0xC8: {TagGetRequest, false}, 0xC9: {TagSetRequest, false}, 0xCA: {TagEventNotification, false},
	0xCB: {TagActionRequest, false}, 0xCC: {TagGetResponse, false}, 0xCD: {TagSetResponse, false},
	0xCF: {TagActionResponse, false},
	0xD0: {TagGetRequest, true}, 0xD1: {TagSetRequest, true}, 0xD2: {TagEventNotification, true},
	0xD3: {TagActionRequest, true}, 0xD4: {TagGetResponse, true}, 0xD5: {TagSetResponse, true},
	0xD7: {TagActionResponse, true},
}

// CipheredTag returns the glo- (or, when dedicated, ded-) tag for a plain
// APDU tag, and false when the APDU has no such form (it must then go in
// general-glo-ciphering, e.g. DataNotification).
func CipheredTag(plain byte, dedicated bool) (byte, bool) {
	for t, p := range cipheredTags {
		if p.plain == plain && p.dedicated == dedicated {
			return t, true
		}
	}
	return 0, false
}

// PlainTag returns the plain APDU tag a glo- or ded- tag protects, and
// false when ciphered is not such a tag (general-glo/ded-ciphering carry
// any APDU and name none).
func PlainTag(ciphered byte) (byte, bool) {
	p, ok := cipheredTags[ciphered]
	return p.plain, ok
}

// Ciphered is a protected APDU as it travels:
//
//	glo-/ded-xxx:          tag L SC IC(4) payload
//	general-glo/ded-ciphering: DB|DC 08 system-title(8) L SC IC(4) payload
//
// L is an A-XDR length of SC‖IC‖payload. Payload is the ciphertext (or the
// plaintext, when only authenticated) followed by the 12-byte tag when
// authenticated. Decoding only splits the fields; security.Context.Open
// checks and removes the protection.
type Ciphered struct {
	Tag               byte
	SystemTitle       []byte // general-glo/ded-ciphering only
	SecurityControl   SecurityControl
	InvocationCounter uint32
	Payload           []byte
}

// General reports whether the APDU is general-glo- or general-ded-ciphering.
func (c *Ciphered) General() bool {
	return c.Tag == TagGeneralGloCiphering || c.Tag == TagGeneralDedCiphering
}

// Dedicated reports whether the APDU is protected with the dedicated key.
func (c *Ciphered) Dedicated() bool {
	return c.Tag == TagGeneralDedCiphering || cipheredTags[c.Tag].dedicated
}

// Append appends the encoded APDU to dst.
func (c *Ciphered) Append(dst []byte) ([]byte, error) {
	if _, ok := cipheredTags[c.Tag]; !ok && !c.General() {
		return dst, fmt.Errorf("%w: ciphered APDU tag 0x%02X", ErrEncode, c.Tag)
	}
	dst = append(dst, c.Tag)
	if c.General() {
		dst = append(axdr.AppendLength(dst, len(c.SystemTitle)), c.SystemTitle...)
	}
	dst = axdr.AppendLength(dst, 5+len(c.Payload))
	dst = appendU32(append(dst, byte(c.SecurityControl)), c.InvocationCounter)
	return append(dst, c.Payload...), nil
}

// Decode replaces c with the APDU in b; Payload and SystemTitle alias b.
func (c *Ciphered) Decode(b []byte) error {
	d := newDecoder(b, "CipheredAPDU")
	*c = Ciphered{Tag: d.Uint8()}
	if _, ok := cipheredTags[c.Tag]; !ok && !c.General() && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, c.Tag))
	}
	if c.General() {
		c.SystemTitle = d.octetString()
		if err := d.check("system-title"); err != nil {
			return err
		}
	}
	n := d.Length()
	if d.Err() == nil && (n < 5 || n != d.Len()) {
		d.Fail(fmt.Errorf("%w: ciphered content of %d bytes, %d follow", axdr.ErrLength, n, d.Len()))
	}
	c.SecurityControl = SecurityControl(d.Uint8())
	c.InvocationCounter = d.Uint32()
	c.Payload = d.Rest()
	if err := d.check("ciphered-content"); err != nil {
		*c = Ciphered{}
		return err
	}
	return nil
}

func (c *Ciphered) String() string {
	kind := "glo"
	if c.Dedicated() {
		kind = "ded"
	}
	n := leaf("ciphered-apdu tag=0x%02X %s sc=%s ic=%d", c.Tag, kind, c.SecurityControl, c.InvocationCounter)
	if c.General() {
		n.kids = append(n.kids, leaf("system-title: %X", c.SystemTitle))
	}
	n.kids = append(n.kids, leaf("payload[%d]", len(c.Payload)))
	return n.String()
}
