package dlms

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/hdlc"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// Client is the client SAP (wrapper wPort) Dial connects from: 16
	// public, 32 reader, 1 management; 16 when 0.
	Client uint16
	// HDLC makes Dial frame APDUs with HDLC instead of the wrapper.
	HDLC bool
	// Mechanism is the authentication: MechanismLowest, MechanismLow
	// (Password) or MechanismHighGMAC (keys, titles, ciphering).
	Mechanism apdu.Mechanism
	Password  []byte
	// EncryptionKey and AuthenticationKey are the global unicast
	// encryption key and the authentication key of HLS-GMAC.
	EncryptionKey, AuthenticationKey []byte
	// DedicatedKey, when set, is sent in the InitiateRequest and
	// protects this association's requests and responses.
	DedicatedKey []byte
	// SystemTitle is the client's 8-byte system title.
	SystemTitle []byte
	// Policy is the protection of ciphered requests;
	// SecurityAuthenticatedEncryption when zero.
	Policy apdu.SecurityControl
	// Counters keeps the client's invocation counters; in memory when nil.
	Counters security.CounterStore
	// Conformance is what the client proposes; every service it can use
	// when zero.
	Conformance apdu.Conformance
	// MaxPDU is the largest APDU the client receives; 0xFFFF when 0.
	MaxPDU uint16
	// MaxResponse bounds a response assembled from blocks; 16 MiB when 0.
	MaxResponse int
	// Rand supplies HLS challenges; crypto/rand when nil.
	Rand io.Reader
	// Trace, when set, sees every APDU sent and received.
	Trace Tracer
	// Logger receives debug records; discarded when nil.
	Logger *slog.Logger
}

const clientConformance = serverConformance | apdu.ConformanceGeneralProtection

func (c ClientConfig) withDefaults() (ClientConfig, error) {
	if c.Client == 0 {
		c.Client = 16
	}
	switch c.Mechanism {
	case apdu.MechanismLowest:
	case apdu.MechanismLow:
		if len(c.Password) == 0 {
			return c, errors.New("dlms: LLS needs a password")
		}
	case apdu.MechanismHighGMAC:
		if len(c.SystemTitle) != security.SystemTitleSize || len(c.EncryptionKey) != security.KeySize || len(c.AuthenticationKey) != security.KeySize {
			return c, errors.New("dlms: HLS-GMAC needs an 8-byte system title and 16-byte encryption and authentication keys")
		}
	default:
		return c, fmt.Errorf("dlms: mechanism %s is not supported", c.Mechanism)
	}
	if c.Policy == 0 {
		c.Policy = apdu.SecurityAuthenticatedEncryption
	}
	if c.Counters == nil {
		c.Counters = security.NewMemoryCounters()
	}
	if c.Conformance == 0 {
		c.Conformance = clientConformance
	}
	if c.MaxPDU == 0 {
		c.MaxPDU = 0xFFFF
	}
	if c.MaxPDU < minPDU {
		return c, fmt.Errorf("dlms: MaxPDU %d below %d", c.MaxPDU, minPDU)
	}
	if c.MaxResponse == 0 {
		c.MaxResponse = 16 << 20
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// AssociationError is an AARE that refused the association.
type AssociationError struct {
	Result     apdu.AssociationResult
	Source     uint8 // DiagnosticUser or DiagnosticProvider
	Diagnostic uint8 // DiagAuthenticationFailure, …
	// Initiate is the ConfirmedServiceError of the AARE, if it carried one.
	Initiate *apdu.ConfirmedServiceError
}

func (e *AssociationError) Error() string {
	s := fmt.Sprintf("dlms: association %s, diagnostic %d", e.Result, e.Diagnostic)
	if e.Initiate != nil {
		s += fmt.Sprintf(" (initiate error %d)", e.Initiate.Value)
	}
	return s
}

// Client is a DLMS/COSEM client over one Transport: Associate, then Get,
// Set and Action as often as needed, then Release. Block transfer, HLS and
// ciphering are handled inside. A Client is not safe for concurrent use.
type Client struct {
	cfg ClientConfig
	t   Transport
	log *slog.Logger

	associated  bool
	conformance apdu.Conformance
	serverMax   int // the server's max receive PDU size
	sec         *security.Context
	serverTitle []byte
	invoke      uint8

	wire, plain, req []byte
	getReq           apdu.GetRequest
	getResp          apdu.GetResponse
}

// Dial connects to the server at addr ("host:port") over TCP, with the
// wrapper or (cfg.HDLC) HDLC, and returns a client that has not yet
// associated.
func Dial(ctx context.Context, addr string, cfg ClientConfig) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var t Transport
	if cfg.HDLC {
		if cfg.Client > 0x7F {
			return nil, fmt.Errorf("dlms: client SAP %d does not fit an HDLC address", cfg.Client)
		}
		t, err = hdlc.Dial(ctx, addr, hdlc.Config{Client: uint8(cfg.Client), MaxAPDU: maxAPDU(cfg.MaxPDU), Logger: cfg.Logger})
	} else {
		t, err = wrapper.Dial(ctx, addr, wrapper.Config{Client: cfg.Client, MaxAPDU: maxAPDU(cfg.MaxPDU), Logger: cfg.Logger})
	}
	if err != nil {
		return nil, err
	}
	return NewClient(t, cfg)
}

// NewClient returns a client over t, which it closes on Close.
func NewClient(t Transport, cfg ClientConfig) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, t: t, log: cfg.Logger}, nil
}

// Conformance is what the association negotiated.
func (c *Client) Conformance() apdu.Conformance { return c.conformance }

// ServerSystemTitle is the server's system title, learned in HLS.
func (c *Client) ServerSystemTitle() []byte { return c.serverTitle }

// Close closes the transport without releasing the association.
func (c *Client) Close() error { return c.t.Close() }

// CounterKeys names the invocation counters a client keeps: send, its own
// (named by its system title), and receive, the last counter accepted from
// the server.
func (c *Client) CounterKeys() (send, receive string) {
	return fmt.Sprintf("client/%X/send", c.cfg.SystemTitle), fmt.Sprintf("client/%X/receive", c.cfg.SystemTitle)
}

// ResumeInvocationCounter makes the next invocation counter the client
// sends greater than last: after reading the counter the server last
// accepted (the invocation counter object, 0.0.43.1.0.255, readable by the
// public client), a client whose own counter was lost resumes above it.
func (c *Client) ResumeInvocationCounter(last uint32) error {
	send, _ := c.CounterKeys()
	return c.cfg.Counters.Raise(send, last)
}

// nextInvoke returns the next Invoke-Id-And-Priority: confirmed, high
// priority, ids 0…15 in turn.
func (c *Client) nextInvoke() apdu.InvokeIDAndPriority {
	c.invoke = (c.invoke + 1) & 0x0F
	return apdu.HighPriority | apdu.Confirmed | apdu.InvokeIDAndPriority(c.invoke)
}

// exchange sends a plain request (protected in a ciphered association)
// and returns the plain response, valid until the next exchange. An
// ExceptionResponse comes back as an *ExceptionResponse error; one for an
// invocation counter the server finds too low resynchronises the counter
// and the request is sent once more.
func (c *Client) exchange(ctx context.Context, req []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.roundTrip(ctx, req)
		var ex *apdu.ExceptionResponse
		if errors.As(err, &ex) && ex.ServiceError == apdu.ServiceInvocationCounterError && attempt == 0 && ex.InvocationCounter > 0 {
			c.log.Debug("dlms: resynchronising the invocation counter", "server-expects", ex.InvocationCounter)
			if rerr := c.ResumeInvocationCounter(ex.InvocationCounter - 1); rerr != nil {
				return nil, errors.Join(err, rerr)
			}
			continue
		}
		return resp, err
	}
}

func (c *Client) roundTrip(ctx context.Context, req []byte) ([]byte, error) {
	wire := req
	var plainReq []byte
	if c.sec != nil {
		var err error
		if c.wire, err = c.sec.Protect(c.wire[:0], req, len(c.cfg.DedicatedKey) > 0); err != nil {
			return nil, err
		}
		wire, plainReq = c.wire, req
	}
	if err := c.t.WriteAPDU(ctx, wire); err != nil {
		return nil, fmt.Errorf("dlms: send: %w", err)
	}
	c.trace(true, wire, plainReq)
	resp, err := c.t.ReadAPDU(ctx)
	if err != nil {
		return nil, fmt.Errorf("dlms: receive: %w", err)
	}
	if len(resp) == 0 {
		return nil, fmt.Errorf("dlms: empty response")
	}
	if resp[0] == apdu.TagExceptionResponse {
		c.trace(false, resp, nil)
		var ex apdu.ExceptionResponse
		if err := ex.Decode(resp); err != nil {
			return nil, err
		}
		return nil, &ex
	}
	if c.sec == nil {
		c.trace(false, resp, nil)
		return resp, nil
	}
	c.plain, err = c.sec.Open(c.plain[:0], resp)
	c.trace(false, resp, c.plain)
	if err != nil {
		return nil, fmt.Errorf("dlms: response: %w", err)
	}
	return c.plain, nil
}

func (c *Client) trace(sent bool, wire, plain []byte) {
	if c.cfg.Trace != nil {
		c.cfg.Trace(TraceEvent{Sent: sent, Wire: wire, Plain: plain})
	}
}

// ErrNotAssociated is returned for a service called before Associate or
// after Release.
var ErrNotAssociated = errors.New("dlms: not associated")

// Associate opens the association: AARQ and AARE, then for HLS-GMAC passes
// 3 and 4 (reply_to_HLS_authentication). A refused AARQ returns an
// *AssociationError; a server that fails HLS pass 4 returns
// ErrAuthentication.
func (c *Client) Associate(ctx context.Context) error {
	c.associated, c.sec = false, nil
	ciphered := c.cfg.Mechanism == apdu.MechanismHighGMAC
	ir := apdu.InitiateRequest{DedicatedKey: c.cfg.DedicatedKey, ResponseAllowed: true, DLMSVersion: apdu.DLMSVersion,
		Conformance: c.cfg.Conformance, MaxPDUSize: c.cfg.MaxPDU}
	ui, _ := ir.Append(nil)
	rq := apdu.AARQ{Context: apdu.ContextLN, UserInformation: ui}
	var ctos []byte
	switch c.cfg.Mechanism {
	case apdu.MechanismLow:
		rq.SenderACSERequirements, rq.HasMechanism, rq.Mechanism, rq.CallingAuthValue = true, true, apdu.MechanismLow, c.cfg.Password
	case apdu.MechanismHighGMAC:
		var err error
		if ctos, err = security.NewChallenge(c.cfg.Rand, 16); err != nil {
			return err
		}
		// The server's title is not known yet: protect the
		// InitiateRequest with a context whose peer title is a
		// placeholder, replaced once the AARE names the server.
		sec, err := c.securityContext(make([]byte, security.SystemTitleSize))
		if err != nil {
			return err
		}
		if rq.UserInformation, err = sec.Protect(nil, ui, false); err != nil {
			return err
		}
		rq.Context, rq.CallingAPTitle, rq.SenderACSERequirements = apdu.ContextLNCiphered, c.cfg.SystemTitle, true
		rq.HasMechanism, rq.Mechanism, rq.CallingAuthValue = true, apdu.MechanismHighGMAC, ctos
	}
	req, _ := rq.Append(nil)
	resp, err := c.roundTrip(ctx, req)
	if err != nil {
		return err
	}
	var aare apdu.AARE
	if err := aare.Decode(resp); err != nil {
		return err
	}
	if aare.Result != apdu.Accepted {
		ae := &AssociationError{Result: aare.Result, Source: aare.DiagnosticSource, Diagnostic: aare.Diagnostic}
		var cse apdu.ConfirmedServiceError
		if len(aare.UserInformation) > 0 && cse.Decode(aare.UserInformation) == nil {
			ae.Initiate = &cse
		}
		return ae
	}
	if ciphered {
		if len(aare.RespondingAPTitle) != security.SystemTitleSize || len(aare.RespondingAuthValue) < 8 {
			return fmt.Errorf("%w: AARE without the server's system title and challenge", security.ErrAuthentication)
		}
		c.serverTitle = append([]byte(nil), aare.RespondingAPTitle...)
		if c.sec, err = c.securityContext(c.serverTitle); err != nil {
			return err
		}
		if aare.UserInformation, err = c.sec.Open(nil, aare.UserInformation); err != nil {
			return fmt.Errorf("dlms: InitiateResponse: %w", err)
		}
	}
	var ires apdu.InitiateResponse
	if err := ires.Decode(aare.UserInformation); err != nil {
		return err
	}
	c.conformance, c.serverMax = ires.Conformance, int(ires.MaxPDUSize)
	if c.serverMax == 0 {
		c.serverMax = 0xFFFF
	}
	c.associated = true
	if !ciphered {
		return nil
	}
	return c.authenticateHLS(ctx, aare.RespondingAuthValue, ctos)
}

func (c *Client) securityContext(peerTitle []byte) (*security.Context, error) {
	send, receive := c.CounterKeys()
	return security.NewContext(security.Config{EncryptionKey: c.cfg.EncryptionKey, AuthenticationKey: c.cfg.AuthenticationKey,
		DedicatedKey: c.cfg.DedicatedKey, LocalTitle: c.cfg.SystemTitle, PeerTitle: peerTitle, Policy: c.cfg.Policy,
		Counters: c.cfg.Counters, SendKey: send, ReceiveKey: receive})
}

// authenticateHLS is HLS-GMAC passes 3 and 4: the client proves its key
// by answering StoC, and checks the server's answer to CtoS.
func (c *Client) authenticateHLS(ctx context.Context, stoc, ctos []byte) error {
	f, err := c.sec.HLSResponse(nil, stoc)
	if err != nil {
		return err
	}
	reply, err := c.Action(ctx, cosem.Ref{Class: cosem.ClassAssociationLN, Name: cosem.CurrentAssociation, ID: 1},
		octetStringValue(f))
	if err != nil {
		c.associated = false
		return fmt.Errorf("dlms: HLS pass 3: %w", err)
	}
	if len(reply) != 1 || reply[0].Tag != 9 {
		c.associated = false
		return fmt.Errorf("%w: HLS pass 4 answered %v", security.ErrAuthentication, reply)
	}
	if err := c.sec.VerifyHLS(ctos, reply[0].Bytes); err != nil {
		c.associated = false
		return fmt.Errorf("dlms: HLS pass 4: %w", err)
	}
	return nil
}

// Release ends the association with RLRQ/RLRE; the transport stays open.
func (c *Client) Release(ctx context.Context) error {
	if !c.associated {
		return ErrNotAssociated
	}
	c.associated = false
	rq := apdu.RLRQ{HasReason: true, Reason: 0}
	req, _ := rq.Append(nil)
	c.sec = nil // RLRQ and RLRE travel in the clear
	resp, err := c.roundTrip(ctx, req)
	if err != nil {
		return err
	}
	var rle apdu.RLRE
	return rle.Decode(resp)
}
