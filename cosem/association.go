package cosem

import (
	"context"
	"fmt"
	"iter"
	"sync/atomic"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// CurrentAssociation is the logical name under which every association
// sees its own Association LN object (Blue Book §4.4.3).
var CurrentAssociation = OBIS{0, 0, 40, 0, 0, 255}

// AssociationStatus is association_status.
type AssociationStatus uint8

const (
	NonAssociated      AssociationStatus = 0
	AssociationPending AssociationStatus = 1 // HLS: waiting for reply_to_HLS_authentication
	Associated         AssociationStatus = 2
)

// Authenticator is what an Association LN object asks of the server that
// owns the association: checking the client's HLS pass 3 and proving the
// server's (pass 4), and changing the association's secret.
type Authenticator interface {
	// ReplyToHLS checks f(StoC), the client's answer to the server's
	// challenge, and returns f(CtoS), the server's answer to the
	// client's. A failed check returns an error wrapping ErrDenied.
	ReplyToHLS(ctx context.Context, fStoC []byte) ([]byte, error)
	// ChangeSecret replaces the association's secret: the LLS password
	// (attribute 7) or the HLS secret (method 2).
	ChangeSecret(ctx context.Context, secret []byte) error
}

// AssociationConfig describes an association as its Association LN
// object presents it.
type AssociationConfig struct {
	Name      OBIS // CurrentAssociation when zero
	ClientSAP uint16
	ServerSAP uint16
	// Context and Mechanism are the last arcs of the application
	// context name (2.16.756.5.8.1.x: 1 LN, 3 LN with ciphering) and of
	// the authentication mechanism name (2.16.756.5.8.2.x: 0 lowest, 1
	// LLS, 5 HLS-GMAC), apdu.ApplicationContext and apdu.Mechanism.
	Context       uint8
	Mechanism     uint8
	Conformance   uint32 // the negotiated conformance block, 24 bits
	MaxReceivePDU uint16 // the server's max receive PDU size
	MaxSendPDU    uint16 // the largest PDU the server sends (the client's max receive)
	DLMSVersion   uint8  // 6
	SecuritySetup OBIS   // the security setup of the association, zero if none
	// Rights are the association's rights on this object; read-only on
	// everything but the secret, and reply_to_HLS_authentication, if nil.
	Rights *Rights
	Auth   Authenticator
}

// AssociationLN is the Association LN object (IC 15, version 1) of one
// association. It is also that association's View: the base view with
// the object itself added under its name. An association is served by one
// goroutine; Status and SetStatus may be called from others.
type AssociationLN struct {
	cfg    AssociationConfig
	base   View
	status atomic.Uint32
}

// NewAssociationLN returns the association object of an association that
// sees base.
func NewAssociationLN(cfg AssociationConfig, base View) *AssociationLN {
	if cfg.Name == (OBIS{}) {
		cfg.Name = CurrentAssociation
	}
	if cfg.Rights == nil {
		cfg.Rights = ReadOnly(LookupClass(ClassAssociationLN))
		cfg.Rights.Attributes[6].Access = NoAccess
		cfg.Rights.Methods[0] = MethodAccessible
	}
	return &AssociationLN{cfg: cfg, base: base}
}

func (a *AssociationLN) ID() ObjectID {
	return ObjectID{Class: ClassAssociationLN, Version: 1, Name: a.cfg.Name}
}

// Status returns association_status.
func (a *AssociationLN) Status() AssociationStatus { return AssociationStatus(a.status.Load()) }

// SetStatus sets association_status.
func (a *AssociationLN) SetStatus(s AssociationStatus) { a.status.Store(uint32(s)) }

// Lookup finds name in the association's view.
func (a *AssociationLN) Lookup(name OBIS) (Object, *Rights) {
	if name == a.cfg.Name {
		return a, a.cfg.Rights
	}
	return a.base.Lookup(name)
}

// Objects yields the association object, then the base view's objects.
func (a *AssociationLN) Objects() iter.Seq2[Object, *Rights] {
	return func(yield func(Object, *Rights) bool) {
		if !yield(a, a.cfg.Rights) {
			return
		}
		for o, r := range a.base.Objects() {
			if o.ID().Name != a.cfg.Name && !yield(o, r) {
				return
			}
		}
	}
}

func (a *AssociationLN) Get(ctx context.Context, dst []byte, attr int8, _ *Selector) ([]byte, error) {
	c := &a.cfg
	switch attr {
	case 2:
		return a.appendObjectList(ctx, dst)
	case 3:
		dst = axdr.AppendStructure(dst, 2)
		return axdr.AppendUint16(axdr.AppendInt8(dst, int8(c.ClientSAP)), c.ServerSAP), nil
	case 4:
		return appendDLMSName(dst, 1, c.Context), nil
	case 5:
		dst = axdr.AppendStructure(dst, 6)
		dst = axdr.AppendBitString(dst, []byte{byte(c.Conformance >> 16), byte(c.Conformance >> 8), byte(c.Conformance)}, 24)
		dst = axdr.AppendUint16(dst, c.MaxReceivePDU)
		dst = axdr.AppendUint16(dst, c.MaxSendPDU)
		dst = axdr.AppendUint8(dst, c.DLMSVersion)
		dst = axdr.AppendInt8(dst, 0)                // quality_of_service
		return axdr.AppendOctetString(dst, nil), nil // cyphering_info: no key is ever shown
	case 6:
		return appendDLMSName(dst, 2, c.Mechanism), nil
	case 7:
		return dst, fmt.Errorf("%w: the secret is never read", ErrDenied)
	case 8:
		return axdr.AppendEnum(dst, uint8(a.Status())), nil
	case 9:
		return axdr.AppendOctetString(dst, c.SecuritySetup[:]), nil
	}
	return dst, ErrUndefined
}

// appendDLMSName appends an application context name (kind 1) or a
// mechanism name (kind 2), the object identifier 2.16.756.5.8.kind.id, as
// the Blue Book's context_name_type / mechanism_name_type structure
// {joint-iso-ctt, country, country-name, identified-organization, DLMS-UA,
// kind, id}.
func appendDLMSName(dst []byte, kind, id uint8) []byte {
	dst = axdr.AppendStructure(dst, 7)
	dst = axdr.AppendUint8(dst, 2)
	dst = axdr.AppendUint8(dst, 16)
	dst = axdr.AppendUint16(dst, 756)
	dst = axdr.AppendUint8(dst, 5)
	dst = axdr.AppendUint8(dst, 8)
	dst = axdr.AppendUint8(dst, kind)
	return axdr.AppendUint8(dst, id)
}

// appendObjectList appends object_list: array of structure {class_id
// long-unsigned, version unsigned, logical_name octet-string,
// access_rights}.
func (a *AssociationLN) appendObjectList(ctx context.Context, dst []byte) ([]byte, error) {
	n := 0
	for range a.Objects() {
		n++
	}
	out := axdr.AppendArray(dst, n)
	for o, r := range a.Objects() {
		if n--; n < 0 {
			break // the view grew while we listed it; keep the count true
		}
		id := o.ID()
		out = axdr.AppendStructure(out, 4)
		out = axdr.AppendUint16(out, uint16(id.Class))
		out = axdr.AppendUint8(out, id.Version)
		out = axdr.AppendOctetString(out, id.Name[:])
		out = AppendAccessRights(out, id.Class, r)
	}
	if n > 0 {
		return dst, fmt.Errorf("%w: the view shrank while listing it", ErrTemporaryFailure)
	}
	return out, ctx.Err()
}

func (a *AssociationLN) Set(ctx context.Context, attr int8, value []axdr.Value) error {
	if attr != 7 {
		return fmt.Errorf("%w: association attribute %d is fixed", ErrDenied, attr)
	}
	secret, err := octetString(value, "secret")
	if err != nil {
		return err
	}
	return a.auth().ChangeSecret(ctx, secret)
}

func (a *AssociationLN) Action(ctx context.Context, dst []byte, method int8, params []axdr.Value) ([]byte, error) {
	switch method {
	case 1:
		f, err := octetString(params, "reply_to_HLS_authentication")
		if err != nil {
			return dst, err
		}
		reply, err := a.auth().ReplyToHLS(ctx, f)
		if err != nil {
			return dst, err
		}
		a.SetStatus(Associated)
		return axdr.AppendOctetString(dst, reply), nil
	case 2:
		secret, err := octetString(params, "change_HLS_secret")
		if err != nil {
			return dst, err
		}
		return dst, a.auth().ChangeSecret(ctx, secret)
	case 3, 4:
		return dst, fmt.Errorf("%w: the object list is fixed", ErrUnavailable)
	}
	return dst, ErrUndefined
}

func (a *AssociationLN) auth() Authenticator {
	if a.cfg.Auth == nil {
		return denyAll{}
	}
	return a.cfg.Auth
}

// denyAll is the Authenticator of an association without one.
type denyAll struct{}

func (denyAll) ReplyToHLS(context.Context, []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: the association has no HLS", ErrDenied)
}
func (denyAll) ChangeSecret(context.Context, []byte) error {
	return fmt.Errorf("%w: the association has no secret", ErrDenied)
}

func octetString(v []axdr.Value, what string) ([]byte, error) {
	if len(v) != 1 || v[0].Tag != axdr.TagOctetString {
		return nil, fmt.Errorf("%w: %s takes an octet-string, not %s", ErrTypeUnmatched, what, describe(v))
	}
	return v[0].Bytes, nil
}
