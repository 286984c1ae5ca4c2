package nilm

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// Library format errors. Every error from Load wraps one of these.
var (
	ErrLibrary   = errors.New("nilm: malformed feature library")
	ErrSignature = errors.New("nilm: feature library signature does not verify")
	ErrStale     = errors.New("nilm: feature library is not newer than the active one")
)

const (
	libraryMagic   = "AMNL"
	libraryFormat  = 2
	headerLen      = 4 + 1 + 1 + 4 + 4 // magic, format, schema, version, body length
	maxSignature   = 72                // ASN.1 DER of a P-256 (r, s) pair
	maxLabelBytes  = 64
	maxLibraryBody = 1 << 20 // far above any real library; bounds what Load reads
)

// encode writes the classifier as an unsigned library: the header and the
// body of the layout in doc.go, without the signature trailer. Train
// guarantees every count fits its field.
func (c *Classifier) encode() []byte {
	body := c.appendBody(nil)
	b := make([]byte, 0, headerLen+len(body)+1+maxSignature)
	b = append(b, libraryMagic...)
	b = append(b, libraryFormat, FeatureSchema)
	b = binary.BigEndian.AppendUint32(b, c.version)
	b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

func (c *Classifier) appendBody(b []byte) []byte {
	var flags byte
	if !c.logDet {
		flags |= 1
	}
	b = append(b, flags)
	b = appendF32(b, c.confidence)
	for _, v := range []float64{c.split.RectifierTHD, c.split.InductiveSin, c.split.ResistivePF, c.split.ResistiveTHD, c.split.TrainingMargin} {
		b = appendF32(b, v)
	}
	b = append(b, byte(len(c.labels)))
	for _, l := range c.labels {
		b = append(append(b, byte(len(l))), l...)
	}
	for nd := range NumNodes {
		n := &c.nodes[nd]
		b = append(b, byte(len(n.features)))
		b = append(b, n.features...)
		for k := range n.features {
			b = appendF32(appendF32(b, n.center[k]), n.scale[k])
		}
		b = append(b, byte(n.dims))
		for _, v := range n.proj {
			b = appendF32(b, v)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(n.protos)))
		for _, p := range n.protos {
			b = append(b, byte(p.class), byte(p.state))
			b = appendF32(appendF32(b, p.logDet), p.limit)
			for _, v := range p.mean {
				b = appendF32(b, v)
			}
			for _, v := range p.w {
				b = appendF32(b, v)
			}
		}
	}
	return b
}

func appendF32(b []byte, v float64) []byte {
	return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(v)))
}

// Sign encodes the classifier as a library signed with key (ECDSA P-256
// over SHA-256 of everything before the signature).
func (c *Classifier) Sign(key *ecdsa.PrivateKey, rand io.Reader) ([]byte, error) {
	if key.Curve.Params().Name != "P-256" {
		return nil, fmt.Errorf("nilm: sign library: key on %s, want P-256", key.Curve.Params().Name)
	}
	b := c.encode()
	digest := sha256.Sum256(b)
	sig, err := ecdsa.SignASN1(rand, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("nilm: sign library: %w", err)
	}
	if len(sig) > maxSignature {
		return nil, fmt.Errorf("nilm: sign library: %d-byte signature", len(sig))
	}
	return append(append(b, byte(len(sig))), sig...), nil
}

// Load verifies a signed library against the trusted public key and
// decodes it. Nothing past the framing is parsed before the signature
// verifies. It never panics, whatever the bytes.
func Load(lib []byte, trusted *ecdsa.PublicKey) (*Classifier, error) {
	if trusted == nil {
		return nil, fmt.Errorf("%w: no trusted key", ErrSignature)
	}
	signed, sig, err := splitSigned(lib)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(signed)
	if !ecdsa.VerifyASN1(trusted, digest[:], sig) {
		return nil, ErrSignature
	}
	return decodeUnsigned(signed)
}

// splitSigned checks the framing and returns the signed part and the
// signature.
func splitSigned(lib []byte) (signed, sig []byte, err error) {
	if len(lib) < headerLen {
		return nil, nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrLibrary, len(lib))
	}
	bodyLen := binary.BigEndian.Uint32(lib[10:14])
	if bodyLen > maxLibraryBody || int(bodyLen) > len(lib)-headerLen-1 {
		return nil, nil, fmt.Errorf("%w: offset 10: body length %d beyond the %d bytes present", ErrLibrary, bodyLen, len(lib))
	}
	end := headerLen + int(bodyLen)
	sigLen := int(lib[end])
	if sigLen == 0 || sigLen > maxSignature || len(lib)-end-1 != sigLen {
		return nil, nil, fmt.Errorf("%w: offset %d: signature of %d bytes with %d left", ErrLibrary, end, sigLen, len(lib)-end-1)
	}
	return lib[:end], lib[end+1:], nil
}

// decodeUnsigned parses header and body (no signature trailer).
func decodeUnsigned(b []byte) (*Classifier, error) {
	d := &decoder{buf: b}
	if string(d.take(4)) != libraryMagic {
		return nil, d.fail("magic is not %q", libraryMagic)
	}
	if f := d.u8(); f != libraryFormat {
		return nil, d.fail("format %d, want %d", f, libraryFormat)
	}
	if s := d.u8(); s != FeatureSchema {
		return nil, d.fail("feature schema %d, this build extracts %d", s, FeatureSchema)
	}
	c := &Classifier{version: d.u32()}
	if bodyLen := d.u32(); d.err == nil && int(bodyLen) != len(b)-headerLen {
		return nil, d.fail("body length %d, %d bytes present", bodyLen, len(b)-headerLen)
	}
	flags := d.u8()
	if flags&^1 != 0 {
		return nil, d.fail("unknown flags %#x", flags)
	}
	c.logDet = flags&1 == 0
	c.confidence = d.f32()
	c.split = Split{RectifierTHD: d.f32(), InductiveSin: d.f32(), ResistivePF: d.f32(), ResistiveTHD: d.f32(), TrainingMargin: d.f32()}
	if d.err == nil && !(c.confidence > 0 && c.confidence < 1) {
		return nil, d.fail("confidence %v outside (0, 1)", c.confidence)
	}
	for _, v := range []float64{c.split.RectifierTHD, c.split.InductiveSin, c.split.ResistivePF, c.split.ResistiveTHD, c.split.TrainingMargin} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, d.fail("split threshold %v", v)
		}
	}
	nLabels := int(d.u8())
	if d.err == nil && nLabels == 0 {
		return nil, d.fail("no labels")
	}
	for range nLabels {
		l := string(d.take(int(d.u8())))
		if d.err != nil {
			break
		}
		if l == "" || len(l) > maxLabelBytes || !utf8.ValidString(l) || l == Unknown {
			return nil, d.fail("label %q", l)
		}
		for _, prev := range c.labels {
			if prev == l {
				return nil, d.fail("label %q repeated", l)
			}
		}
		c.labels = append(c.labels, l)
	}
	for nd := range NumNodes {
		if err := d.node(&c.nodes[nd], len(c.labels)); err != nil {
			return nil, fmt.Errorf("node %s: %w", Node(nd), err)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.off != len(b) {
		return nil, d.fail("%d bytes after the last node", len(b)-d.off)
	}
	return c, nil
}

func (d *decoder) node(n *node, nLabels int) error {
	p := int(d.u8())
	if p > NumFeatures && d.err == nil {
		return d.fail("%d features, at most %d", p, NumFeatures)
	}
	feats := d.take(p)
	if d.err != nil {
		return d.err
	}
	for k, f := range feats {
		if int(f) >= NumFeatures || k > 0 && f <= feats[k-1] {
			return d.fail("feature index %d at position %d", f, k)
		}
	}
	if p > 0 {
		n.features = append([]uint8(nil), feats...)
		n.center, n.scale = make([]float64, p), make([]float64, p)
	}
	for k := range p {
		n.center[k], n.scale[k] = d.finite(), d.finite()
		if d.err == nil && n.scale[k] <= 0 {
			return d.fail("scale %v", n.scale[k])
		}
	}
	dims := int(d.u8())
	if d.err == nil && (dims > maxDims || (dims == 0) != (p == 0)) {
		return d.fail("%d discriminant directions for %d features (want 1 to %d, or 0 without features)", dims, p, maxDims)
	}
	if dims > 0 {
		n.dims = dims
		n.proj = make([]float64, p*dims) // p ≤ NumFeatures, dims ≤ maxDims: bounded
		for j := range n.proj {
			n.proj[j] = d.finite()
		}
	}
	count := int(d.u16())
	tri := dims * (dims + 1) / 2
	// Each prototype takes 10+4(dims+tri) bytes: check before allocating.
	if need := count * (10 + 4*(dims+tri)); d.err == nil && need > len(d.buf)-d.off {
		return d.fail("%d prototypes need %d bytes, %d left", count, need, len(d.buf)-d.off)
	}
	if count > 0 && p == 0 {
		return d.fail("prototypes in a node without features")
	}
	for range count {
		pr := prototype{class: uint16(d.u8()), state: State(d.u8())}
		if d.err == nil && (int(pr.class) >= nLabels || pr.state > On) {
			return d.fail("prototype class %d state %d", pr.class, pr.state)
		}
		pr.logDet = d.finite()
		pr.limit = d.f32()
		if d.err == nil && (math.IsNaN(pr.limit) || pr.limit <= 0) {
			return d.fail("limit %v", pr.limit)
		}
		pr.mean = make([]float64, dims)
		for j := range dims {
			pr.mean[j] = d.finite()
		}
		pr.w = make([]float64, tri)
		for j := range tri {
			pr.w[j] = d.finite()
		}
		n.protos = append(n.protos, pr)
	}
	return d.err
}

// decoder reads big-endian fields; the first error sticks and later reads
// return zeros.
type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) error {
	if d.err == nil {
		d.err = fmt.Errorf("%w: offset %d: %s", ErrLibrary, d.off, fmt.Sprintf(format, args...))
	}
	return d.err
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.off {
		d.fail("truncated: %d bytes wanted, %d left", n, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if b := d.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) f32() float64 {
	return float64(math.Float32frombits(d.u32()))
}

// finite reads a float32 that must be finite.
func (d *decoder) finite() float64 {
	v := d.f32()
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.fail("non-finite value %v", v)
		return 0
	}
	return v
}
