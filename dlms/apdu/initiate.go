package apdu

import (
	"fmt"
	"strings"
)

// Conformance is the 24-bit xDLMS conformance block ([APPLICATION 31]
// BIT STRING (SIZE(24))): bit n of the standard's numbering (0 = leftmost)
// is 1<<(23-n) here, so the value is the three bytes read big-endian.
type Conformance uint32

// Conformance bits (Green Book §9.5, "Conformance").
const (
	ConformanceGeneralProtection       Conformance = 1 << (23 - 1)
	ConformanceGeneralBlockTransfer    Conformance = 1 << (23 - 2)
	ConformanceRead                    Conformance = 1 << (23 - 3)
	ConformanceWrite                   Conformance = 1 << (23 - 4)
	ConformanceUnconfirmedWrite        Conformance = 1 << (23 - 5)
	ConformanceDeltaValueEncoding      Conformance = 1 << (23 - 6)
	ConformanceAttribute0WithSet       Conformance = 1 << (23 - 8)
	ConformancePriorityManagement      Conformance = 1 << (23 - 9)
	ConformanceAttribute0WithGet       Conformance = 1 << (23 - 10)
	ConformanceBlockTransferWithGet    Conformance = 1 << (23 - 11)
	ConformanceBlockTransferWithSet    Conformance = 1 << (23 - 12)
	ConformanceBlockTransferWithAction Conformance = 1 << (23 - 13)
	ConformanceMultipleReferences      Conformance = 1 << (23 - 14)
	ConformanceInformationReport       Conformance = 1 << (23 - 15)
	ConformanceDataNotification        Conformance = 1 << (23 - 16)
	ConformanceAccess                  Conformance = 1 << (23 - 17)
	ConformanceParameterizedAccess     Conformance = 1 << (23 - 18)
	ConformanceGet                     Conformance = 1 << (23 - 19)
	ConformanceSet                     Conformance = 1 << (23 - 20)
	ConformanceSelectiveAccess         Conformance = 1 << (23 - 21)
	ConformanceEventNotification       Conformance = 1 << (23 - 22)
	ConformanceAction                  Conformance = 1 << (23 - 23)
)

var conformanceNames = [24]string{
	"reserved-zero", "general-protection", "general-block-transfer", "read", "write", "unconfirmed-write",
	"delta-value-encoding", "reserved-seven", "attribute0-supported-with-set", "priority-mgmt-supported",
	"attribute0-supported-with-get", "block-transfer-with-get-or-read", "block-transfer-with-set-or-write",
	"block-transfer-with-action", "multiple-references", "information-report", "data-notification", "access",
	"parameterized-access", "get", "set", "selective-access", "event-notification", "action",
}

// String lists the set bits by name, e.g. "007E1F(priority-mgmt-supported|…)".
func (c Conformance) String() string {
	var names []string
	for n := 0; n < 24; n++ {
		if c&(1<<(23-n)) != 0 {
			names = append(names, conformanceNames[n])
		}
	}
	return fmt.Sprintf("%06X(%s)", uint32(c)&0xFFFFFF, strings.Join(names, "|"))
}

func appendConformance(dst []byte, c Conformance) []byte {
	return append(dst, 0x5F, 0x1F, 0x04, 0x00, byte(c>>16), byte(c>>8), byte(c))
}

func (d *decoder) conformance() Conformance {
	h := d.Bytes(4)
	if d.Err() == nil && (h[0] != 0x5F || h[1] != 0x1F || h[2] != 0x04 || h[3] != 0x00) {
		d.Fail(fmt.Errorf("%w: conformance header % X, want 5F 1F 04 00", ErrBadChoice, h))
		return 0
	}
	b := d.Bytes(3)
	if b == nil {
		return 0
	}
	return Conformance(b[0])<<16 | Conformance(b[1])<<8 | Conformance(b[2])
}

// DLMSVersion is the DLMS version every association negotiates.
const DLMSVersion = 6

// InitiateRequest is the xDLMS InitiateRequest (tag 0x01) carried in the
// AARQ's user-information (Green Book §9.5):
//
//	01 dedicated-key(00 | 01 len key) response-allowed(00 = default true | 01 bool)
//	   proposed-qos(00 | 01 int8) version(1) 5F1F 04 00 conformance(3) max-pdu(2)
type InitiateRequest struct {
	DedicatedKey    []byte
	ResponseAllowed bool // the default, true, when decoded from an absent field
	HasQoS          bool
	QoS             int8
	DLMSVersion     uint8
	Conformance     Conformance
	MaxPDUSize      uint16 // client-max-receive-pdu-size
}

// Append appends the encoded request to dst.
func (r *InitiateRequest) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagInitiateRequest)
	if len(r.DedicatedKey) > 0 {
		dst = append(append(dst, 1, byte(len(r.DedicatedKey))), r.DedicatedKey...)
	} else {
		dst = append(dst, 0)
	}
	if r.ResponseAllowed {
		dst = append(dst, 0)
	} else {
		dst = append(dst, 1, 0)
	}
	if r.HasQoS {
		dst = append(dst, 1, byte(r.QoS))
	} else {
		dst = append(dst, 0)
	}
	dst = appendConformance(append(dst, r.DLMSVersion), r.Conformance)
	return append(dst, byte(r.MaxPDUSize>>8), byte(r.MaxPDUSize)), nil
}

// Decode replaces r with the request in b.
func (r *InitiateRequest) Decode(b []byte) error {
	d := newDecoder(b, "InitiateRequest")
	if t := d.Uint8(); t != TagInitiateRequest && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, t))
	}
	*r = InitiateRequest{ResponseAllowed: true}
	if d.optional() {
		r.DedicatedKey = d.octetString()
	}
	if err := d.check("dedicated-key"); err != nil {
		return err
	}
	if d.optional() {
		r.ResponseAllowed = d.boolean()
	}
	if r.HasQoS = d.optional(); r.HasQoS {
		r.QoS = int8(d.Uint8())
	}
	r.DLMSVersion = d.Uint8()
	r.Conformance = d.conformance()
	if err := d.check("proposed-conformance"); err != nil {
		return err
	}
	r.MaxPDUSize = d.Uint16()
	return d.end()
}

func (r *InitiateRequest) String() string {
	n := leaf("initiate-request dlms-version=%d max-pdu-size=%d", r.DLMSVersion, r.MaxPDUSize)
	n.kids = append(n.kids, leaf("proposed-conformance: %s", r.Conformance))
	if len(r.DedicatedKey) > 0 {
		n.kids = append(n.kids, leaf("dedicated-key: %d bytes", len(r.DedicatedKey)))
	}
	if !r.ResponseAllowed {
		n.kids = append(n.kids, leaf("response-allowed: false"))
	}
	if r.HasQoS {
		n.kids = append(n.kids, leaf("proposed-quality-of-service: %d", r.QoS))
	}
	return n.String()
}

// VAA names of the InitiateResponse.
const (
	VAANameLN uint16 = 0x0007
	VAANameSN uint16 = 0xFA00
)

// InitiateResponse is the xDLMS InitiateResponse (tag 0x08) in the AARE:
//
//	08 negotiated-qos(00 | 01 int8) version(1) 5F1F 04 00 conformance(3) max-pdu(2) vaa-name(2)
type InitiateResponse struct {
	HasQoS      bool
	QoS         int8
	DLMSVersion uint8
	Conformance Conformance
	MaxPDUSize  uint16 // server-max-receive-pdu-size
	VAAName     uint16 // VAANameLN or VAANameSN
}

// Append appends the encoded response to dst.
func (r *InitiateResponse) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagInitiateResponse)
	if r.HasQoS {
		dst = append(dst, 1, byte(r.QoS))
	} else {
		dst = append(dst, 0)
	}
	dst = appendConformance(append(dst, r.DLMSVersion), r.Conformance)
	return append(dst, byte(r.MaxPDUSize>>8), byte(r.MaxPDUSize), byte(r.VAAName>>8), byte(r.VAAName)), nil
}

// Decode replaces r with the response in b.
func (r *InitiateResponse) Decode(b []byte) error {
	d := newDecoder(b, "InitiateResponse")
	if t := d.Uint8(); t != TagInitiateResponse && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, t))
	}
	*r = InitiateResponse{}
	if r.HasQoS = d.optional(); r.HasQoS {
		r.QoS = int8(d.Uint8())
	}
	r.DLMSVersion = d.Uint8()
	r.Conformance = d.conformance()
	if err := d.check("negotiated-conformance"); err != nil {
		return err
	}
	r.MaxPDUSize = d.Uint16()
	r.VAAName = d.Uint16()
	return d.end()
}

func (r *InitiateResponse) String() string {
	n := leaf("initiate-response dlms-version=%d max-pdu-size=%d vaa-name=0x%04X", r.DLMSVersion, r.MaxPDUSize, r.VAAName)
	n.kids = append(n.kids, leaf("negotiated-conformance: %s", r.Conformance))
	if r.HasQoS {
		n.kids = append(n.kids, leaf("negotiated-quality-of-service: %d", r.QoS))
	}
	return n.String()
}
