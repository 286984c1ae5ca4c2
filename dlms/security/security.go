package security

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Security errors.
var (
	// ErrReplay: a received invocation counter is not greater than the last
	// one accepted.
	ErrReplay = errors.New("dlms: invocation counter replayed")
	// ErrAuthentication: a GMAC tag, HLS response or password did not match.
	ErrAuthentication = errors.New("dlms: authentication failed")
	// ErrPolicy: the APDU is protected less (or otherwise) than the
	// association requires, or names a key or title this context lacks.
	ErrPolicy = errors.New("dlms: security policy violated")
	// ErrCounterExhausted: the invocation counter reached 2³²−1; new keys
	// are needed.
	ErrCounterExhausted = errors.New("dlms: invocation counter exhausted")
)

// Sizes of security suite 0 (AES-128-GCM) material.
const (
	KeySize         = 16
	SystemTitleSize = 8
	TagSize         = 12 // GCM tag truncated to 96 bits
)

// Config holds the keys, titles and counters of one association.
type Config struct {
	// EncryptionKey is the global unicast encryption key (EK).
	EncryptionKey []byte
	// BroadcastKey is the global broadcast encryption key; optional.
	BroadcastKey []byte
	// DedicatedKey is the association's dedicated key (sent in the
	// InitiateRequest); optional.
	DedicatedKey []byte
	// AuthenticationKey is AK, mixed into every authenticated APDU and HLS
	// response.
	AuthenticationKey []byte
	// LocalTitle and PeerTitle are the 8-byte system titles of this side
	// and of the peer. The IV of an APDU is its sender's title and counter.
	LocalTitle, PeerTitle []byte
	// Policy is the protection applied to outgoing APDUs and required of
	// incoming ones: SecurityAuthentication and/or SecurityEncryption.
	Policy apdu.SecurityControl
	// Counters persists the invocation counters; SendKey names the counter
	// this side sends with, ReceiveKey the peer's.
	Counters            CounterStore
	SendKey, ReceiveKey string
}

// Context protects and checks APDUs with security suite 0
// (AES-128-GCM, Green Book §9.2.7.3) for one association, and computes
// and verifies HLS-GMAC (mechanism 5) challenge responses.
//
// A Context is not safe for concurrent use (an association is a
// sequence of exchanges); it keeps scratch space so that sealing and
// opening do not allocate.
type Context struct {
	cfg                   Config
	global, bcast, ded    cipher.AEAD
	nonce                 [12]byte
	aad                   []byte
	localTitle, peerTitle [SystemTitleSize]byte
}

// NewContext checks cfg and returns a context for it.
func NewContext(cfg Config) (*Context, error) {
	c := &Context{cfg: cfg}
	var err error
	if c.global, err = newGCM(cfg.EncryptionKey, "encryption key"); err != nil {
		return nil, err
	}
	if len(cfg.BroadcastKey) > 0 {
		if c.bcast, err = newGCM(cfg.BroadcastKey, "broadcast key"); err != nil {
			return nil, err
		}
	}
	if len(cfg.DedicatedKey) > 0 {
		if c.ded, err = newGCM(cfg.DedicatedKey, "dedicated key"); err != nil {
			return nil, err
		}
	}
	if len(cfg.AuthenticationKey) != KeySize {
		return nil, fmt.Errorf("dlms: authentication key of %d bytes, want %d", len(cfg.AuthenticationKey), KeySize)
	}
	if len(cfg.LocalTitle) != SystemTitleSize || len(cfg.PeerTitle) != SystemTitleSize {
		return nil, fmt.Errorf("dlms: system titles of %d and %d bytes, want %d", len(cfg.LocalTitle), len(cfg.PeerTitle), SystemTitleSize)
	}
	if cfg.Policy&^(apdu.SecurityAuthentication|apdu.SecurityEncryption) != 0 {
		return nil, fmt.Errorf("dlms: policy %s: only the authentication and encryption bits may be set", cfg.Policy)
	}
	if cfg.Counters == nil {
		return nil, errors.New("dlms: no invocation counter store")
	}
	copy(c.localTitle[:], cfg.LocalTitle)
	copy(c.peerTitle[:], cfg.PeerTitle)
	c.aad = make([]byte, 0, 1+KeySize+256)
	return c, nil
}

func newGCM(key []byte, what string) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("dlms: %s of %d bytes, want %d", what, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithTagSize(block, TagSize)
}

// SetDedicatedKey installs the dedicated key once the InitiateRequest that
// carries it has been sent or received.
func (c *Context) SetDedicatedKey(key []byte) error {
	g, err := newGCM(key, "dedicated key")
	if err != nil {
		return err
	}
	c.ded = g
	return nil
}

// Protect appends the glo- (dedicated: ded-) ciphered form of the plain APDU
// to dst, with the next invocation counter. APDUs without such a form
// (DataNotification) go in general-glo-ciphering (see ProtectGeneral).
func (c *Context) Protect(dst, pdu []byte, dedicated bool) ([]byte, error) {
	if len(pdu) == 0 {
		return dst, fmt.Errorf("%w: empty APDU", apdu.ErrEncode)
	}
	tag, ok := apdu.CipheredTag(pdu[0], dedicated)
	if !ok {
		return c.ProtectGeneral(dst, pdu, dedicated)
	}
	return c.protect(dst, tag, pdu, dedicated)
}

// ProtectGeneral appends general-glo-ciphering (dedicated:
// general-ded-ciphering) of the plain APDU, carrying the local system title.
func (c *Context) ProtectGeneral(dst, pdu []byte, dedicated bool) ([]byte, error) {
	tag := apdu.TagGeneralGloCiphering
	if dedicated {
		tag = apdu.TagGeneralDedCiphering
	}
	return c.protect(dst, tag, pdu, dedicated)
}

func (c *Context) protect(dst []byte, tag byte, pdu []byte, dedicated bool) ([]byte, error) {
	aead := c.global
	if dedicated {
		if aead = c.ded; aead == nil {
			return dst, fmt.Errorf("%w: no dedicated key", ErrPolicy)
		}
	}
	ic, err := c.cfg.Counters.Next(c.cfg.SendKey)
	if err != nil {
		return dst, err
	}
	dst = append(dst, tag)
	if tag == apdu.TagGeneralGloCiphering || tag == apdu.TagGeneralDedCiphering {
		dst = append(append(dst, SystemTitleSize), c.localTitle[:]...)
	}
	n := 5 + len(pdu)
	if c.cfg.Policy&apdu.SecurityAuthentication != 0 {
		n += TagSize
	}
	dst = axdr.AppendLength(dst, n)
	return c.seal(dst, aead, c.cfg.Policy, &c.localTitle, ic, pdu), nil
}

// seal appends SC ‖ IC ‖ protected(plaintext) to dst (Green Book
// §9.2.7.3.2): with authentication, A = SC ‖ AK (‖ plaintext when not
// encrypted) and a 12-byte tag follows.
func (c *Context) seal(dst []byte, aead cipher.AEAD, sc apdu.SecurityControl, title *[8]byte, ic uint32, plaintext []byte) []byte {
	c.setNonce(title, ic)
	dst = binary.BigEndian.AppendUint32(append(dst, byte(sc)), ic)
	switch sc & apdu.SecurityAuthenticatedEncryption {
	case apdu.SecurityAuthenticatedEncryption:
		c.aad = append(append(c.aad[:0], byte(sc)), c.cfg.AuthenticationKey...)
		return aead.Seal(dst, c.nonce[:], plaintext, c.aad)
	case apdu.SecurityAuthentication:
		c.aad = append(append(append(c.aad[:0], byte(sc)), c.cfg.AuthenticationKey...), plaintext...)
		dst = append(dst, plaintext...)
		return aead.Seal(dst, c.nonce[:], nil, c.aad)
	case apdu.SecurityEncryption:
		return ctrEncrypt(dst, aead, c.nonce[:], plaintext)
	}
	return append(dst, plaintext...)
}

// ctrEncrypt applies GCM's encryption without its tag: GCM with no
// authenticated data and the tag dropped is exactly the counter-mode
// ciphertext the Green Book specifies for encryption-only APDUs.
func ctrEncrypt(dst []byte, aead cipher.AEAD, nonce, plaintext []byte) []byte {
	out := aead.Seal(dst, nonce, plaintext, nil)
	return out[:len(out)-TagSize]
}

func (c *Context) setNonce(title *[8]byte, ic uint32) {
	copy(c.nonce[:8], title[:])
	c.nonce[8], c.nonce[9], c.nonce[10], c.nonce[11] = byte(ic>>24), byte(ic>>16), byte(ic>>8), byte(ic)
}

// Open checks a ciphered APDU from the peer and appends its plaintext to
// dst: the protection must include the context's policy, the tag must
// verify, and then the invocation counter must be greater than the last
// accepted (else ErrReplay; the counter is recorded only for APDUs that
// authenticated, so forgeries cannot advance it).
func (c *Context) Open(dst, pdu []byte) ([]byte, error) {
	var ca apdu.Ciphered
	if err := ca.Decode(pdu); err != nil {
		return dst, err
	}
	return c.OpenAPDU(dst, &ca)
}

// OpenAPDU is Open for an already split ciphered APDU.
func (c *Context) OpenAPDU(dst []byte, ca *apdu.Ciphered) ([]byte, error) {
	sc := ca.SecurityControl
	if sc.Suite() != 0 || sc&apdu.SecurityCompression != 0 {
		return dst, fmt.Errorf("%w: security control %s: only suite 0 without compression", ErrPolicy, sc)
	}
	if sc&c.cfg.Policy != c.cfg.Policy {
		return dst, fmt.Errorf("%w: APDU protected with %s, association requires %s", ErrPolicy, sc, c.cfg.Policy)
	}
	if ca.General() && subtle.ConstantTimeCompare(ca.SystemTitle, c.peerTitle[:]) != 1 {
		return dst, fmt.Errorf("%w: system title %X is not the peer's", ErrPolicy, ca.SystemTitle)
	}
	aead := c.global
	switch {
	case ca.Dedicated():
		aead = c.ded
	case sc&apdu.SecurityBroadcastKey != 0:
		aead = c.bcast
	}
	if aead == nil {
		return dst, fmt.Errorf("%w: no key for this APDU (dedicated=%t, broadcast=%t)", ErrPolicy, ca.Dedicated(), sc&apdu.SecurityBroadcastKey != 0)
	}
	out, err := c.unseal(dst, aead, sc, ca.InvocationCounter, ca.Payload)
	if err != nil {
		return dst, err
	}
	// The ciphered APDU's own tag is not authenticated (the AAD is SC ‖
	// AK), so check that it names the service the plaintext holds: a
	// glo-get-response relabelled as glo-initiate-response must not pass.
	plainTag, _ := apdu.PlainTag(ca.Tag)
	if !ca.General() && (len(out) == len(dst) || out[len(dst)] != plainTag) {
		return dst, fmt.Errorf("%w: ciphered tag 0x%02X does not match the APDU it carries", ErrPolicy, ca.Tag)
	}
	if err := c.cfg.Counters.Accept(c.cfg.ReceiveKey, ca.InvocationCounter); err != nil {
		return dst, err
	}
	return out, nil
}

func (c *Context) unseal(dst []byte, aead cipher.AEAD, sc apdu.SecurityControl, ic uint32, payload []byte) ([]byte, error) {
	c.setNonce(&c.peerTitle, ic)
	switch sc & apdu.SecurityAuthenticatedEncryption {
	case apdu.SecurityAuthenticatedEncryption:
		c.aad = append(append(c.aad[:0], byte(sc)), c.cfg.AuthenticationKey...)
		out, err := aead.Open(dst, c.nonce[:], payload, c.aad)
		if err != nil {
			return dst, ErrAuthentication
		}
		return out, nil
	case apdu.SecurityAuthentication:
		if len(payload) < TagSize {
			return dst, ErrAuthentication
		}
		plain := payload[:len(payload)-TagSize]
		c.aad = append(append(append(c.aad[:0], byte(sc)), c.cfg.AuthenticationKey...), plain...)
		if _, err := aead.Open(nil, c.nonce[:], payload[len(plain):], c.aad); err != nil {
			return dst, ErrAuthentication
		}
		return append(dst, plain...), nil
	case apdu.SecurityEncryption:
		// Counter mode is its own inverse: encrypting the ciphertext
		// under the same IV gives the plaintext back.
		return ctrEncrypt(dst, aead, c.nonce[:], payload), nil
	}
	return append(dst, payload...), nil
}

// HLSSecurityControl is the SC of HLS-GMAC responses: authentication only,
// suite 0.
const HLSSecurityControl = apdu.SecurityAuthentication

// HLSResponse computes f(challenge) = SC ‖ IC ‖ GMAC(SC ‖ AK ‖ challenge)
// under the local system title and the next invocation counter (Green Book
// §9.2.7.4, mechanism 5): what the client answers to StoC and the server
// to CtoS.
func (c *Context) HLSResponse(dst, challenge []byte) ([]byte, error) {
	ic, err := c.cfg.Counters.Next(c.cfg.SendKey)
	if err != nil {
		return dst, err
	}
	return c.hlsTag(dst, &c.localTitle, ic, challenge), nil
}

func (c *Context) hlsTag(dst []byte, title *[8]byte, ic uint32, challenge []byte) []byte {
	c.setNonce(title, ic)
	dst = binary.BigEndian.AppendUint32(append(dst, byte(HLSSecurityControl)), ic)
	c.aad = append(append(append(c.aad[:0], byte(HLSSecurityControl)), c.cfg.AuthenticationKey...), challenge...)
	return c.global.Seal(dst, c.nonce[:], nil, c.aad)
}

// VerifyHLS checks the peer's f(challenge), where challenge is the one this
// side sent, in constant time. The counter inside is authenticated but not
// checked against the received counters: the peer computes f(challenge)
// before it protects the APDU that carries it, so its counter is lower
// than that APDU's; freshness comes from the challenge, new for every
// association.
func (c *Context) VerifyHLS(challenge, response []byte) error {
	if len(response) != 5+TagSize || apdu.SecurityControl(response[0]) != HLSSecurityControl {
		return fmt.Errorf("%w: HLS response of %d bytes", ErrAuthentication, len(response))
	}
	ic := uint32(response[1])<<24 | uint32(response[2])<<16 | uint32(response[3])<<8 | uint32(response[4])
	var buf [5 + TagSize]byte
	want := c.hlsTag(buf[:0], &c.peerTitle, ic, challenge)
	if subtle.ConstantTimeCompare(want, response) != 1 {
		return ErrAuthentication
	}
	return nil
}

// NewChallenge reads an HLS challenge of n bytes (the Green Book allows
// 8–64) from rand, which should be crypto/rand.Reader outside tests.
func NewChallenge(rand io.Reader, n int) ([]byte, error) {
	if n < 8 || n > 64 {
		return nil, fmt.Errorf("dlms: challenge of %d bytes, want 8–64", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, fmt.Errorf("dlms: challenge: %w", err)
	}
	return b, nil
}

// CheckPassword compares an LLS password (mechanism 1) with the expected
// one in constant time (for equal lengths).
func CheckPassword(want, got []byte) error {
	if len(want) == 0 || subtle.ConstantTimeCompare(want, got) != 1 {
		return ErrAuthentication
	}
	return nil
}

// InvocationCounterObject is the attribute a client reads to learn the
// invocation counter the server expects from it (value attribute of the
// Data object 0.0.43.1.e.255, e the key set's security setup instance),
// before raising its own counter past it with CounterStore.Raise.
func InvocationCounterObject(e uint8) apdu.AttributeDescriptor {
	return apdu.AttributeDescriptor{ClassID: 1, Instance: apdu.InstanceID{0, 0, 43, 1, e, 255}, Attribute: 2}
}
