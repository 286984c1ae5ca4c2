package dlms

import (
	"bytes"
	"context"
	"fmt"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/security"
)

// aarqRefusal is why an AARQ is refused: the AARE's result and diagnostic,
// and for xDLMS errors the ConfirmedServiceError carried in its
// user-information.
type aarqRefusal struct {
	result     apdu.AssociationResult
	diagnostic uint8
	initiate   uint8 // InitiateXxx value, when the InitiateRequest was refused
	isInitiate bool
	why        string
}

func refuse(diag uint8, format string, args ...any) *aarqRefusal {
	return &aarqRefusal{result: apdu.RejectedPermanent, diagnostic: diag, why: fmt.Sprintf(format, args...)}
}

func refuseInitiate(value uint8, why string) *aarqRefusal {
	return &aarqRefusal{result: apdu.RejectedPermanent, diagnostic: apdu.DiagNoReasonGiven, initiate: value, isInitiate: true, why: why}
}

// associate answers an AARQ with an AARE (Green Book §9.4.2): it checks the
// application context and mechanism the client SAP requires, the LLS
// password or the HLS challenge, and negotiates the xDLMS context. An AARQ
// replaces any association the connection had.
func (s *session) associate(ctx context.Context, pdu []byte) []byte {
	s.reset()
	var rq apdu.AARQ
	aare, ref := s.accept(ctx, pdu, &rq)
	if ref != nil {
		s.srv.rejected.Add(1)
		s.log.Info("dlms: association refused", "client", s.client, "diagnostic", ref.diagnostic, "why", ref.why)
		aare = apdu.AARE{Context: rq.Context, Result: ref.result, DiagnosticSource: apdu.DiagnosticUser, Diagnostic: ref.diagnostic}
		if aare.Context == 0 {
			aare.Context = apdu.ContextLN
		}
		if ref.isInitiate {
			cse := apdu.ConfirmedServiceError{Service: apdu.ServiceInitiateError, ErrorType: apdu.ErrorTypeInitiate, Value: ref.initiate}
			aare.UserInformation, _ = cse.Append(nil)
		}
		s.reset()
	} else {
		s.srv.associations.Add(1)
	}
	s.out, _ = aare.Append(s.out[:0])
	return s.out
}

// accept checks an AARQ and sets the association up; it returns the AARE
// of an accepted association, or why it is refused.
func (s *session) accept(ctx context.Context, pdu []byte, rq *apdu.AARQ) (apdu.AARE, *aarqRefusal) {
	if err := rq.Decode(pdu); err != nil {
		return apdu.AARE{}, refuse(apdu.DiagNoReasonGiven, "%v", err)
	}
	cl, ok := s.srv.cfg.Clients[s.client]
	if !ok {
		return apdu.AARE{}, refuse(apdu.DiagNoReasonGiven, "client %d has no association", s.client)
	}
	view, ok := s.srv.cfg.Tree.View(s.client)
	if !ok {
		return apdu.AARE{}, refuse(apdu.DiagNoReasonGiven, "client %d sees no objects", s.client)
	}
	ciphered := cl.Mechanism == apdu.MechanismHighGMAC
	wantContext := apdu.ContextLN
	if ciphered {
		wantContext = apdu.ContextLNCiphered
	}
	if rq.Context != wantContext {
		return apdu.AARE{}, refuse(apdu.DiagContextNotSupported, "context %s, client %d uses %s", rq.Context, s.client, wantContext)
	}
	mech := apdu.MechanismLowest
	if rq.HasMechanism {
		mech = rq.Mechanism
	}
	if mech != cl.Mechanism {
		if mech == apdu.MechanismLowest {
			return apdu.AARE{}, refuse(apdu.DiagAuthenticationRequired, "client %d must authenticate with %s", s.client, cl.Mechanism)
		}
		return apdu.AARE{}, refuse(apdu.DiagMechanismNotRecognised, "mechanism %s, client %d uses %s", mech, s.client, cl.Mechanism)
	}
	switch cl.Mechanism {
	case apdu.MechanismLow:
		if security.CheckPassword(s.srv.password(s.client), rq.CallingAuthValue) != nil {
			return apdu.AARE{}, refuse(apdu.DiagAuthenticationFailure, "wrong LLS password")
		}
	case apdu.MechanismHighGMAC:
		if ref := s.setUpCiphering(cl, rq); ref != nil {
			return apdu.AARE{}, ref
		}
	}
	ir, ref := s.initiateRequest(rq.UserInformation)
	if ref != nil {
		return apdu.AARE{}, ref
	}
	if ir.DLMSVersion < apdu.DLMSVersion {
		return apdu.AARE{}, refuseInitiate(apdu.InitiateDLMSVersionTooLow, fmt.Sprintf("DLMS version %d", ir.DLMSVersion))
	}
	offer := serverConformance
	if ciphered {
		offer |= apdu.ConformanceGeneralProtection
	}
	s.conformance = ir.Conformance & offer
	if s.conformance&(apdu.ConformanceGet|apdu.ConformanceSet|apdu.ConformanceAction) == 0 {
		return apdu.AARE{}, refuseInitiate(apdu.InitiateIncompatibleConformance, fmt.Sprintf("conformance %s", ir.Conformance))
	}
	s.sendLimit = int(ir.MaxPDUSize)
	if s.sendLimit == 0 {
		s.sendLimit = 0xFFFF // 0: the client states no limit
	}
	if s.sendLimit < minPDU {
		return apdu.AARE{}, refuseInitiate(apdu.InitiatePDUSizeTooShort, fmt.Sprintf("max PDU size %d", ir.MaxPDUSize))
	}
	if len(ir.DedicatedKey) > 0 {
		if s.sec == nil || s.sec.SetDedicatedKey(ir.DedicatedKey) != nil {
			return apdu.AARE{}, refuseInitiate(apdu.InitiateRefusedByVDEHandler, "unusable dedicated key")
		}
	}

	resp := apdu.InitiateResponse{DLMSVersion: apdu.DLMSVersion, Conformance: s.conformance, MaxPDUSize: s.srv.cfg.MaxPDU, VAAName: apdu.VAANameLN}
	ui, _ := resp.Append(nil)
	if ciphered {
		var err error
		if ui, err = s.sec.Protect(nil, ui, false); err != nil {
			return apdu.AARE{}, refuse(apdu.DiagNoReasonGiven, "protect InitiateResponse: %v", err)
		}
	}
	aare := apdu.AARE{Context: wantContext, Result: apdu.Accepted, DiagnosticSource: apdu.DiagnosticUser, Diagnostic: apdu.DiagNull, UserInformation: ui}
	status := cosem.Associated
	if cl.Mechanism != apdu.MechanismLowest {
		aare.HasMechanism, aare.Mechanism, aare.ResponderACSERequirements = true, cl.Mechanism, true
	}
	if ciphered {
		// HLS pass 2: the server's challenge; the association waits for
		// pass 3.
		aare.Diagnostic = apdu.DiagAuthenticationRequired
		aare.RespondingAPTitle = s.srv.cfg.SystemTitle
		aare.RespondingAuthValue = s.stoc
		status = cosem.AssociationPending
	}
	s.cl, s.assocClient = cl, s.client
	s.assoc = cosem.NewAssociationLN(cosem.AssociationConfig{
		ClientSAP: s.client, ServerSAP: 1, Context: uint8(wantContext), Mechanism: uint8(cl.Mechanism),
		Conformance: uint32(s.conformance), MaxReceivePDU: s.srv.cfg.MaxPDU, MaxSendPDU: uint16(min(s.sendLimit, 0xFFFF)),
		DLMSVersion: apdu.DLMSVersion, SecuritySetup: securitySetupOf(cl), Rights: associationRights(cl.Mechanism), Auth: s,
	}, view)
	s.assoc.SetStatus(status)
	return aare, nil
}

// setUpCiphering builds the association's security context from the
// client's keys and titles and draws the server's challenge.
func (s *session) setUpCiphering(cl ClientPolicy, rq *apdu.AARQ) *aarqRefusal {
	if len(rq.CallingAPTitle) != security.SystemTitleSize || (cl.SystemTitle != nil && !bytes.Equal(cl.SystemTitle, rq.CallingAPTitle)) {
		return refuse(apdu.DiagCallingAPTitleNotRecognized, "client system title %X", rq.CallingAPTitle)
	}
	if n := len(rq.CallingAuthValue); n < 8 || n > 64 {
		return refuse(apdu.DiagAuthenticationFailure, "challenge of %d bytes", n)
	}
	ek, err1 := cl.Keys.Key(cosem.KeyGlobalUnicast)
	ak, err2 := cl.Keys.Key(cosem.KeyAuthentication)
	if err1 != nil || err2 != nil {
		return refuse(apdu.DiagNoReasonGiven, "keys of client %d: %v %v", s.client, err1, err2)
	}
	bk, _ := cl.Keys.Key(cosem.KeyGlobalBroadcast)
	policy := cl.Policy
	if policy == 0 {
		policy = apdu.SecurityAuthenticatedEncryption
	}
	send, receive := CounterKeys(s.client)
	sec, err := security.NewContext(security.Config{EncryptionKey: ek, BroadcastKey: bk, AuthenticationKey: ak,
		LocalTitle: s.srv.cfg.SystemTitle, PeerTitle: rq.CallingAPTitle, Policy: policy,
		Counters: s.srv.cfg.Counters, SendKey: send, ReceiveKey: receive})
	if err != nil {
		return refuse(apdu.DiagNoReasonGiven, "security context: %v", err)
	}
	stoc, err := security.NewChallenge(s.srv.cfg.Rand, 16)
	if err != nil {
		return refuse(apdu.DiagNoReasonGiven, "%v", err)
	}
	s.sec, s.ctos, s.stoc = sec, bytes.Clone(rq.CallingAuthValue), stoc
	return nil
}

// initiateRequest reads the InitiateRequest of the AARQ's
// user-information, deciphering it in a ciphered association.
func (s *session) initiateRequest(ui []byte) (apdu.InitiateRequest, *aarqRefusal) {
	var ir apdu.InitiateRequest
	if len(ui) == 0 {
		return ir, refuseInitiate(apdu.InitiateOther, "no InitiateRequest")
	}
	if s.sec != nil {
		if ui[0] != 0x21 { // glo-initiate-request
			return ir, refuse(apdu.DiagAuthenticationFailure, "InitiateRequest not ciphered")
		}
		plain, err := s.sec.Open(nil, ui)
		if err != nil {
			// A wrong key fails here, before HLS pass 3.
			return ir, refuse(apdu.DiagAuthenticationFailure, "InitiateRequest does not decipher: %v", err)
		}
		ui = plain
	}
	if err := ir.Decode(ui); err != nil {
		return ir, refuseInitiate(apdu.InitiateOther, err.Error())
	}
	return ir, nil
}

// release answers an RLRQ with an RLRE and ends the association; the
// connection stays open for another AARQ. In a ciphered association the
// RLRQ may carry a ciphered InitiateRequest, answered in kind.
func (s *session) release(pdu []byte) []byte {
	var rq apdu.RLRQ
	rle := apdu.RLRE{HasReason: true, Reason: 0}
	if err := rq.Decode(pdu); err == nil && len(rq.UserInformation) > 0 && s.sec != nil {
		if _, ref := s.initiateRequest(rq.UserInformation); ref == nil {
			resp := apdu.InitiateResponse{DLMSVersion: apdu.DLMSVersion, Conformance: s.conformance, MaxPDUSize: s.srv.cfg.MaxPDU, VAAName: apdu.VAANameLN}
			ui, _ := resp.Append(nil)
			rle.UserInformation, _ = s.sec.Protect(nil, ui, false)
		}
	}
	s.reset()
	s.out, _ = rle.Append(s.out[:0])
	return s.out
}

// ReplyToHLS is HLS pass 3 and 4 (cosem.Authenticator): it checks the
// client's f(StoC) and answers f(CtoS).
func (s *session) ReplyToHLS(_ context.Context, fStoC []byte) ([]byte, error) {
	if s.sec == nil || s.stoc == nil {
		return nil, fmt.Errorf("%w: no HLS in this association", cosem.ErrDenied)
	}
	if err := s.sec.VerifyHLS(s.stoc, fStoC); err != nil {
		s.hlsFailed = true
		return nil, fmt.Errorf("%w: f(StoC): %v", cosem.ErrDenied, err)
	}
	reply, err := s.sec.HLSResponse(nil, s.ctos)
	if err != nil {
		return nil, fmt.Errorf("%w: f(CtoS): %v", cosem.ErrHardwareFault, err)
	}
	s.stoc = nil // a challenge answers once
	return reply, nil
}

// ChangeSecret changes the LLS password of the association's client
// (cosem.Authenticator); HLS-GMAC has no secret of its own (its keys change
// through the security setup's key_transfer).
func (s *session) ChangeSecret(_ context.Context, secret []byte) error {
	if s.cl.Mechanism != apdu.MechanismLow {
		return fmt.Errorf("%w: mechanism %s has no secret to change", cosem.ErrDenied, s.cl.Mechanism)
	}
	if len(secret) == 0 {
		return fmt.Errorf("%w: empty password", cosem.ErrTypeUnmatched)
	}
	s.srv.setPassword(s.assocClient, secret)
	return nil
}

// securitySetupOf names the security setup of a ciphered client.
func securitySetupOf(cl ClientPolicy) cosem.OBIS {
	if cl.Mechanism == apdu.MechanismHighGMAC {
		return cosem.OBIS{0, 0, 43, 0, 0, 255}
	}
	return cosem.OBIS{}
}

// associationRights are each kind of client's rights on its own
// association object: every attribute but the secret readable;
// reply_to_HLS_authentication for HLS clients; the LLS client may change
// its password.
func associationRights(m apdu.Mechanism) *cosem.Rights {
	r := cosem.ReadOnly(cosem.LookupClass(cosem.ClassAssociationLN))
	r.Attributes[6].Access = cosem.NoAccess
	switch m {
	case apdu.MechanismLow:
		r.Attributes[6].Access = cosem.Write
	case apdu.MechanismHighGMAC:
		r.Methods[0] = cosem.MethodAccessible
	}
	return r
}
