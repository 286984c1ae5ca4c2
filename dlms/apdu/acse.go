package apdu

import (
	"bytes"
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// ApplicationContext is the last arc of the COSEM application context name
// 2.16.756.5.8.1.x (Green Book §9.4.2.2.2).
type ApplicationContext uint8

const (
	ContextLN         ApplicationContext = 1 // Logical_Name_Referencing_No_Ciphering
	ContextSN         ApplicationContext = 2 // Short_Name_Referencing_No_Ciphering
	ContextLNCiphered ApplicationContext = 3 // Logical_Name_Referencing_With_Ciphering
	ContextSNCiphered ApplicationContext = 4 // Short_Name_Referencing_With_Ciphering
)

func (c ApplicationContext) String() string {
	switch c {
	case ContextLN:
		return "LN"
	case ContextSN:
		return "SN"
	case ContextLNCiphered:
		return "LN-ciphered"
	case ContextSNCiphered:
		return "SN-ciphered"
	}
	return fmt.Sprintf("context-%d", uint8(c))
}

// Mechanism is the last arc of the authentication mechanism name
// 2.16.756.5.8.2.x.
type Mechanism uint8

const (
	MechanismLowest     Mechanism = 0 // no authentication
	MechanismLow        Mechanism = 1 // LLS: password
	MechanismHigh       Mechanism = 2 // HLS, manufacturer specific
	MechanismHighMD5    Mechanism = 3
	MechanismHighSHA1   Mechanism = 4
	MechanismHighGMAC   Mechanism = 5 // HLS with GMAC (security suite 0)
	MechanismHighSHA256 Mechanism = 6
	MechanismHighECDSA  Mechanism = 7
)

func (m Mechanism) String() string {
	names := [...]string{"lowest", "low", "high", "high-md5", "high-sha1", "high-gmac", "high-sha256", "high-ecdsa"}
	if int(m) < len(names) {
		return names[m]
	}
	return fmt.Sprintf("mechanism-%d", uint8(m))
}

// Object identifier prefixes: joint-iso-ccitt(2) country(16) country-name(756)
// identified-organization(5) DLMS-UA(8) {application-context(1) |
// authentication-mechanism(2)}, BER-encoded without the last arc.
var (
	oidContextPrefix   = []byte{0x60, 0x85, 0x74, 0x05, 0x08, 0x01}
	oidMechanismPrefix = []byte{0x60, 0x85, 0x74, 0x05, 0x08, 0x02}
)

// AssociationResult is the AARE result.
type AssociationResult uint8

const (
	Accepted          AssociationResult = 0
	RejectedPermanent AssociationResult = 1
	RejectedTransient AssociationResult = 2
)

func (r AssociationResult) String() string {
	switch r {
	case Accepted:
		return "accepted"
	case RejectedPermanent:
		return "rejected-permanent"
	case RejectedTransient:
		return "rejected-transient"
	}
	return fmt.Sprintf("result-%d", uint8(r))
}

// Diagnostic sources and the acse-service-user values of the AARE
// result-source-diagnostic.
const (
	DiagnosticUser     uint8 = 1 // acse-service-user
	DiagnosticProvider uint8 = 2 // acse-service-provider

	DiagNull                        uint8 = 0
	DiagNoReasonGiven               uint8 = 1
	DiagContextNotSupported         uint8 = 2
	DiagCallingAPTitleNotRecognized uint8 = 3
	DiagMechanismNotRecognised      uint8 = 11
	DiagMechanismRequired           uint8 = 12
	DiagAuthenticationFailure       uint8 = 13
	DiagAuthenticationRequired      uint8 = 14
)

// AARQ is the ACSE association request ([APPLICATION 0], tag 0x60), BER:
//
//	60 L
//	   A1 09 06 07 60 85 74 05 08 01 cc         application-context-name
//	   A6 L 04 L system-title                   calling-AP-title (optional)
//	   8A 02 07 80                              sender-acse-requirements: authentication
//	   8B 07 60 85 74 05 08 02 mm               mechanism-name (optional)
//	   AC L 80 L value                          calling-authentication-value (optional)
//	   BE L 04 L xDLMS-APDU                     user-information (InitiateRequest, maybe ciphered)
//
// Fields DLMS does not use (called-AP-title, AE qualifiers and invocation
// ids, implementation-information, protocol-version) are skipped on decode
// and not written.
type AARQ struct {
	Context                ApplicationContext
	CallingAPTitle         []byte
	SenderACSERequirements bool // authentication functional unit requested
	HasMechanism           bool
	Mechanism              Mechanism
	CallingAuthValue       []byte // LLS password or HLS CtoS challenge
	UserInformation        []byte // encoded InitiateRequest or glo-initiate-request
}

// AARE is the ACSE association response ([APPLICATION 1], tag 0x61):
//
//	61 L
//	   A1 09 06 07 60 85 74 05 08 01 cc         application-context-name
//	   A2 03 02 01 rr                           result
//	   A3 05 A1|A2 03 02 01 dd                  result-source-diagnostic
//	   A4 L 04 L system-title                   responding-AP-title (optional)
//	   88 02 07 80                              responder-acse-requirements
//	   89 07 60 85 74 05 08 02 mm               mechanism-name
//	   AA L 80 L StoC                           responding-authentication-value
//	   BE L 04 L xDLMS-APDU                     user-information
type AARE struct {
	Context                   ApplicationContext
	Result                    AssociationResult
	DiagnosticSource          uint8 // DiagnosticUser or DiagnosticProvider
	Diagnostic                uint8
	RespondingAPTitle         []byte
	ResponderACSERequirements bool
	HasMechanism              bool
	Mechanism                 Mechanism
	RespondingAuthValue       []byte
	UserInformation           []byte
}

// Append appends the encoded AARQ to dst.
func (a *AARQ) Append(dst []byte) ([]byte, error) {
	var body []byte
	body = appendContextName(body, a.Context)
	if len(a.CallingAPTitle) > 0 {
		body = appendWrappedOctets(body, 0xA6, 0x04, a.CallingAPTitle)
	}
	if a.SenderACSERequirements {
		body = append(body, 0x8A, 0x02, 0x07, 0x80)
	}
	if a.HasMechanism {
		body = appendMechanismName(body, 0x8B, a.Mechanism)
	}
	if len(a.CallingAuthValue) > 0 {
		body = appendWrappedOctets(body, 0xAC, 0x80, a.CallingAuthValue)
	}
	if len(a.UserInformation) > 0 {
		body = appendWrappedOctets(body, 0xBE, 0x04, a.UserInformation)
	}
	return appendTLV(dst, TagAARQ, body), nil
}

// Decode replaces a with the AARQ in b.
func (a *AARQ) Decode(b []byte) error {
	*a = AARQ{}
	return decodeACSE(b, "AARQ", TagAARQ, func(d *decoder, tag byte, v []byte) {
		switch tag {
		case 0xA1:
			a.Context = parseContextName(d, v)
		case 0xA6:
			a.CallingAPTitle = unwrapOctets(d, v, 0x04)
		case 0x8A:
			a.SenderACSERequirements = parseACSERequirements(d, v)
		case 0x8B:
			a.HasMechanism, a.Mechanism = true, parseMechanismName(d, v)
		case 0xAC:
			a.CallingAuthValue = unwrapOctets(d, v, 0x80)
		case 0xBE:
			a.UserInformation = unwrapOctets(d, v, 0x04)
		case 0x80, 0xA2, 0xA3, 0xA4, 0xA5, 0xA7, 0xA8, 0xA9, 0x9D:
			// Not used by DLMS; skipped.
		default:
			d.Fail(fmt.Errorf("%w: AARQ field tag 0x%02X", ErrBadChoice, tag))
		}
	})
}

func (a *AARQ) String() string {
	n := leaf("aarq context=%s", a.Context)
	if len(a.CallingAPTitle) > 0 {
		n.kids = append(n.kids, leaf("calling-ap-title: %X", a.CallingAPTitle))
	}
	if a.SenderACSERequirements {
		n.kids = append(n.kids, leaf("sender-acse-requirements: authentication"))
	}
	if a.HasMechanism {
		n.kids = append(n.kids, leaf("mechanism-name: %s", a.Mechanism))
	}
	switch {
	case len(a.CallingAuthValue) > 0 && a.HasMechanism && a.Mechanism >= MechanismHigh:
		// An HLS challenge (CtoS): random, not secret, useful in traces.
		n.kids = append(n.kids, leaf("calling-authentication-value: %X", a.CallingAuthValue))
	case len(a.CallingAuthValue) > 0:
		// A password under LLS (or without a mechanism): never printed.
		n.kids = append(n.kids, leaf("calling-authentication-value: %d bytes", len(a.CallingAuthValue)))
	}
	if len(a.UserInformation) > 0 {
		n.kids = append(n.kids, userInfoNode(a.UserInformation))
	}
	return n.String()
}

// Append appends the encoded AARE to dst.
func (a *AARE) Append(dst []byte) ([]byte, error) {
	var body []byte
	body = appendContextName(body, a.Context)
	body = append(body, 0xA2, 0x03, 0x02, 0x01, byte(a.Result))
	src := a.DiagnosticSource
	if src == 0 {
		src = DiagnosticUser
	}
	body = append(body, 0xA3, 0x05, 0xA0|src, 0x03, 0x02, 0x01, a.Diagnostic)
	if len(a.RespondingAPTitle) > 0 {
		body = appendWrappedOctets(body, 0xA4, 0x04, a.RespondingAPTitle)
	}
	if a.ResponderACSERequirements {
		body = append(body, 0x88, 0x02, 0x07, 0x80)
	}
	if a.HasMechanism {
		body = appendMechanismName(body, 0x89, a.Mechanism)
	}
	if len(a.RespondingAuthValue) > 0 {
		body = appendWrappedOctets(body, 0xAA, 0x80, a.RespondingAuthValue)
	}
	if len(a.UserInformation) > 0 {
		body = appendWrappedOctets(body, 0xBE, 0x04, a.UserInformation)
	}
	return appendTLV(dst, TagAARE, body), nil
}

// Decode replaces a with the AARE in b.
func (a *AARE) Decode(b []byte) error {
	*a = AARE{}
	return decodeACSE(b, "AARE", TagAARE, func(d *decoder, tag byte, v []byte) {
		switch tag {
		case 0xA1:
			a.Context = parseContextName(d, v)
		case 0xA2:
			a.Result = AssociationResult(parseInteger(d, v))
		case 0xA3:
			if len(v) < 2 || (v[0] != 0xA1 && v[0] != 0xA2) || int(v[1]) != len(v)-2 {
				d.Fail(fmt.Errorf("%w: result-source-diagnostic % X", ErrBadChoice, v))
				return
			}
			a.DiagnosticSource = v[0] & 0x0F
			a.Diagnostic = parseInteger(d, v[2:])
		case 0xA4:
			a.RespondingAPTitle = unwrapOctets(d, v, 0x04)
		case 0x88:
			a.ResponderACSERequirements = parseACSERequirements(d, v)
		case 0x89:
			a.HasMechanism, a.Mechanism = true, parseMechanismName(d, v)
		case 0xAA:
			a.RespondingAuthValue = unwrapOctets(d, v, 0x80)
		case 0xBE:
			a.UserInformation = unwrapOctets(d, v, 0x04)
		case 0x80, 0xA5, 0xA6, 0xA7, 0x9D:
			// Not used by DLMS; skipped.
		default:
			d.Fail(fmt.Errorf("%w: AARE field tag 0x%02X", ErrBadChoice, tag))
		}
	})
}

func (a *AARE) String() string {
	src := "acse-service-user"
	if a.DiagnosticSource == DiagnosticProvider {
		src = "acse-service-provider"
	}
	n := leaf("aare context=%s result=%s diagnostic=%s:%d", a.Context, a.Result, src, a.Diagnostic)
	if len(a.RespondingAPTitle) > 0 {
		n.kids = append(n.kids, leaf("responding-ap-title: %X", a.RespondingAPTitle))
	}
	if a.ResponderACSERequirements {
		n.kids = append(n.kids, leaf("responder-acse-requirements: authentication"))
	}
	if a.HasMechanism {
		n.kids = append(n.kids, leaf("mechanism-name: %s", a.Mechanism))
	}
	if len(a.RespondingAuthValue) > 0 {
		n.kids = append(n.kids, leaf("responding-authentication-value: %X", a.RespondingAuthValue))
	}
	if len(a.UserInformation) > 0 {
		n.kids = append(n.kids, userInfoNode(a.UserInformation))
	}
	return n.String()
}

// RLRQ is the ACSE release request ([APPLICATION 2], tag 0x62):
// 62 L [80 01 reason] [BE L 04 L xDLMS-APDU].
type RLRQ struct {
	HasReason       bool
	Reason          uint8 // 0 normal, 1 urgent, 30 user-defined
	UserInformation []byte
}

// RLRE is the ACSE release response ([APPLICATION 3], tag 0x63):
// 63 L [80 01 reason] [BE L 04 L xDLMS-APDU].
type RLRE struct {
	HasReason       bool
	Reason          uint8 // 0 normal, 1 not-finished, 30 user-defined
	UserInformation []byte
}

func appendRelease(dst []byte, tag byte, hasReason bool, reason uint8, ui []byte) []byte {
	var body []byte
	if hasReason {
		body = append(body, 0x80, 0x01, reason)
	}
	if len(ui) > 0 {
		body = appendWrappedOctets(body, 0xBE, 0x04, ui)
	}
	return appendTLV(dst, tag, body)
}

func decodeRelease(b []byte, name string, tag byte, hasReason *bool, reason *uint8, ui *[]byte) error {
	*hasReason, *reason, *ui = false, 0, nil
	return decodeACSE(b, name, tag, func(d *decoder, t byte, v []byte) {
		switch t {
		case 0x80:
			*hasReason, *reason = true, parseInteger(d, v)
		case 0xBE:
			*ui = unwrapOctets(d, v, 0x04)
		default:
			d.Fail(fmt.Errorf("%w: %s field tag 0x%02X", ErrBadChoice, name, t))
		}
	})
}

// Append appends the encoded RLRQ to dst.
func (r *RLRQ) Append(dst []byte) ([]byte, error) {
	return appendRelease(dst, TagRLRQ, r.HasReason, r.Reason, r.UserInformation), nil
}

// Decode replaces r with the RLRQ in b.
func (r *RLRQ) Decode(b []byte) error {
	return decodeRelease(b, "RLRQ", TagRLRQ, &r.HasReason, &r.Reason, &r.UserInformation)
}

func (r *RLRQ) String() string {
	n := leaf("rlrq")
	if r.HasReason {
		n.text += fmt.Sprintf(" reason=%d", r.Reason)
	}
	if len(r.UserInformation) > 0 {
		n.kids = append(n.kids, userInfoNode(r.UserInformation))
	}
	return n.String()
}

// Append appends the encoded RLRE to dst.
func (r *RLRE) Append(dst []byte) ([]byte, error) {
	return appendRelease(dst, TagRLRE, r.HasReason, r.Reason, r.UserInformation), nil
}

// Decode replaces r with the RLRE in b.
func (r *RLRE) Decode(b []byte) error {
	return decodeRelease(b, "RLRE", TagRLRE, &r.HasReason, &r.Reason, &r.UserInformation)
}

func (r *RLRE) String() string {
	n := leaf("rlre")
	if r.HasReason {
		n.text += fmt.Sprintf(" reason=%d", r.Reason)
	}
	if len(r.UserInformation) > 0 {
		n.kids = append(n.kids, userInfoNode(r.UserInformation))
	}
	return n.String()
}

// userInfoNode shows the xDLMS APDU inside user-information, decoded when
// it is a plain InitiateRequest/Response or error, else by its tag.
func userInfoNode(ui []byte) node {
	if a, err := Decode(ui); err == nil {
		return renderedNode("user-information: ", a.String())
	}
	return leaf("user-information: %X", ui)
}

// decodeACSE reads a BER [APPLICATION n] SEQUENCE and hands each field's
// tag and contents to field, which reports problems with d.Fail.
func decodeACSE(b []byte, name string, tag byte, field func(d *decoder, tag byte, v []byte)) error {
	d := newDecoder(b, name)
	if t := d.Uint8(); t != tag && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X, want 0x%02X", ErrUnknown, t, tag))
	}
	n := d.berLength()
	switch {
	case d.Err() != nil:
	case n > d.Len():
		d.Fail(fmt.Errorf("%w: BER length %d, %d bytes follow", axdr.ErrTruncated, n, d.Len()))
	case n < d.Len():
		d.Fail(fmt.Errorf("%w: BER length %d, %d bytes follow", ErrTrailing, n, d.Len()))
	}
	for d.Err() == nil && d.Len() > 0 {
		at := d.Offset()
		t := d.Uint8()
		v := d.Bytes(d.berLength())
		if d.Err() != nil {
			break
		}
		field(&d, t, v)
		if err := d.Err(); err != nil {
			return fmt.Errorf("%s: field 0x%02X at offset %d: %w", name, t, at, err)
		}
	}
	return d.check("")
}

// berLength consumes a BER definite length (short form, or 0x81/0x82/0x83/0x84 long form).
func (d *decoder) berLength() int { return d.Length() }

func appendTLV(dst []byte, tag byte, v []byte) []byte {
	// BER and A-XDR definite lengths share their short and long forms.
	return append(axdr.AppendLength(append(dst, tag), len(v)), v...)
}

// appendWrappedOctets appends outer{inner{v}}, e.g. BE L 04 L value.
func appendWrappedOctets(dst []byte, outer, inner byte, v []byte) []byte {
	return appendTLV(dst, outer, appendTLV(nil, inner, v))
}

func unwrapOctets(d *decoder, v []byte, inner byte) []byte {
	sub := newDecoder(v, "")
	t := sub.Uint8()
	n := sub.berLength()
	b := sub.Bytes(n)
	if sub.Err() != nil || t != inner || sub.Len() != 0 {
		d.Fail(fmt.Errorf("%w: want tag 0x%02X wrapping the value, have % X", ErrBadChoice, inner, v))
		return nil
	}
	return b
}

func appendContextName(dst []byte, c ApplicationContext) []byte {
	return append(append(append(dst, 0xA1, 0x09, 0x06, 0x07), oidContextPrefix...), byte(c))
}

func parseContextName(d *decoder, v []byte) ApplicationContext {
	if len(v) != 9 || v[0] != 0x06 || v[1] != 0x07 || !bytes.Equal(v[2:8], oidContextPrefix) {
		d.Fail(fmt.Errorf("%w: application-context-name % X", ErrBadChoice, v))
		return 0
	}
	return ApplicationContext(v[8])
}

func appendMechanismName(dst []byte, tag byte, m Mechanism) []byte {
	return append(append(append(dst, tag, 0x07), oidMechanismPrefix...), byte(m))
}

func parseMechanismName(d *decoder, v []byte) Mechanism {
	if len(v) != 7 || !bytes.Equal(v[:6], oidMechanismPrefix) {
		d.Fail(fmt.Errorf("%w: mechanism-name % X", ErrBadChoice, v))
		return 0
	}
	return Mechanism(v[6])
}

// parseACSERequirements reads the ACSE-requirements BIT STRING; bit 0 is
// the authentication functional unit.
func parseACSERequirements(d *decoder, v []byte) bool {
	if len(v) < 2 || v[0] > 7 {
		d.Fail(fmt.Errorf("%w: acse-requirements % X", ErrBadChoice, v))
		return false
	}
	return v[1]&0x80 != 0
}

// parseInteger reads a BER INTEGER (02 L v) that DLMS keeps in one byte.
func parseInteger(d *decoder, v []byte) uint8 {
	if len(v) == 3 && v[0] == 0x02 && v[1] == 0x01 {
		return v[2]
	}
	if len(v) == 1 { // IMPLICIT INTEGER contents (release reasons)
		return v[0]
	}
	d.Fail(fmt.Errorf("%w: INTEGER % X", ErrBadChoice, v))
	return 0
}
