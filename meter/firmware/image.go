package firmware

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// Image format constants.
const (
	Magic         = "AMIGOFW1"
	fieldSize     = 32
	signedSize    = 112 // bytes the signature covers
	headerSize    = 114 // up to the signature
	maxSignature  = 72  // DER ECDSA P-256 signatures are at most 72 bytes
	MaxPayload    = 64 << 20
	offTarget     = 8
	offVersion    = 40
	offLength     = 72
	offHash       = 80
	offSigLength  = 112
	offSignature  = headerSize
	minImageBytes = headerSize + 1
)

// Errors of parsing and verification; Verify's errors wrap ErrVerify.
var (
	ErrFormat    = errors.New("firmware: malformed image")
	ErrVerify    = errors.New("firmware: image verification failed")
	ErrSignature = fmt.Errorf("%w: bad signature", ErrVerify)
	ErrTarget    = fmt.Errorf("%w: wrong target", ErrVerify)
	ErrHash      = fmt.Errorf("%w: payload hash mismatch", ErrVerify)
)

// Image is a parsed signed image. Its slices alias the parsed bytes.
type Image struct {
	Target, Version string
	Hash            [32]byte // SHA-256 of the payload
	Signature       []byte
	Payload         []byte
	signed          []byte // header bytes the signature covers
}

// Parse reads a signed image. It checks the layout and the payload length
// against the bytes present (a truncated image fails here), not the hash
// or the signature.
func Parse(b []byte) (*Image, error) {
	if len(b) < minImageBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrFormat, len(b))
	}
	if string(b[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%w: magic %q", ErrFormat, b[:len(Magic)])
	}
	target, err := field(b[offTarget : offTarget+fieldSize])
	if err != nil {
		return nil, fmt.Errorf("%w: target: %v", ErrFormat, err)
	}
	version, err := field(b[offVersion : offVersion+fieldSize])
	if err != nil {
		return nil, fmt.Errorf("%w: version: %v", ErrFormat, err)
	}
	n := binary.BigEndian.Uint64(b[offLength:])
	sl := int(binary.BigEndian.Uint16(b[offSigLength:]))
	if sl < 1 || sl > maxSignature {
		return nil, fmt.Errorf("%w: signature of %d bytes", ErrFormat, sl)
	}
	rest := uint64(len(b) - headerSize)
	if uint64(sl) > rest || n != rest-uint64(sl) {
		return nil, fmt.Errorf("%w: payload of %d bytes declared, %d present", ErrFormat, n, int64(rest)-int64(sl))
	}
	img := &Image{Target: target, Version: version, Signature: b[offSignature : offSignature+sl],
		Payload: b[offSignature+sl:], signed: b[:signedSize]}
	copy(img.Hash[:], b[offHash:offHash+32])
	return img, nil
}

// field reads a NUL-padded printable ASCII field.
func field(b []byte) (string, error) {
	s, pad, _ := bytes.Cut(b, []byte{0})
	if len(s) == 0 {
		return "", errors.New("empty")
	}
	for _, c := range s {
		if c < 0x20 || c > 0x7E {
			return "", fmt.Errorf("byte 0x%02X", c)
		}
	}
	for _, c := range pad {
		if c != 0 {
			return "", errors.New("data after the NUL padding")
		}
	}
	return string(s), nil
}

// Verify checks that the image is for target, that its payload hashes to
// the header's hash and that the header is signed by pub.
func (img *Image) Verify(pub *ecdsa.PublicKey, target string) error {
	if img.Target != target {
		return fmt.Errorf("%w: image for %q, this is %q", ErrTarget, img.Target, target)
	}
	sum := sha256.Sum256(img.Payload)
	if subtle.ConstantTimeCompare(sum[:], img.Hash[:]) != 1 {
		return ErrHash
	}
	digest := sha256.Sum256(img.signed)
	if pub == nil || !ecdsa.VerifyASN1(pub, digest[:], img.Signature) {
		return ErrSignature
	}
	return nil
}

// Build makes a signed image (what a vendor's build system does).
func Build(key *ecdsa.PrivateKey, target, version string, payload []byte) ([]byte, error) {
	if len(target) == 0 || len(target) > fieldSize || len(version) == 0 || len(version) > fieldSize {
		return nil, fmt.Errorf("%w: target %q, version %q: want 1…32 bytes", ErrFormat, target, version)
	}
	if len(payload) > MaxPayload {
		return nil, fmt.Errorf("%w: payload of %d bytes", ErrFormat, len(payload))
	}
	h := make([]byte, signedSize, headerSize+maxSignature+len(payload))
	copy(h, Magic)
	copy(h[offTarget:], target)
	copy(h[offVersion:], version)
	binary.BigEndian.PutUint64(h[offLength:], uint64(len(payload)))
	sum := sha256.Sum256(payload)
	copy(h[offHash:], sum[:])
	digest := sha256.Sum256(h)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("firmware: sign: %w", err)
	}
	h = binary.BigEndian.AppendUint16(h, uint16(len(sig)))
	h = append(h, sig...)
	return append(h, payload...), nil
}
