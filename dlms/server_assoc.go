package dlms

import (
	"bytes"
	"context"
	"fmt"

	"github.com/amigo-ami/amigo/cosem"
)

// aarqRefusal is why an AARQ is refused: the AARE's result and diagnostic,
// and for xDLMS errors the ConfirmedServiceError carried in its
// user-information.
type aarqRefusal struct {
	result     AssociationResult
	diagnostic uint8
	initiate   uint8 // InitiateXxx value, when the InitiateRequest was refused
	isInitiate bool
	why        string
}

func refuse(diag uint8, format string, args ...any) *aarqRefusal {
	return &aarqRefusal{result: RejectedPermanent, diagnostic: diag, why: fmt.Sprintf(format, args...)}
}

func refuseInitiate(value uint8, why string) *aarqRefusal {
	return &aarqRefusal{result: RejectedPermanent, diagnostic: DiagNoReasonGiven, initiate: value, isInitiate: true, why: why}
}

// associate answers an AARQ with an AARE (Green Book §9.4.2): it checks the
// application context and mechanism the client SAP requires, the LLS
// password or the HLS challenge, and negotiates the xDLMS context. An AARQ
// replaces any association the connection had.
func (s *session) associate(ctx context.Context, apdu []byte) []byte {
	s.reset()
	var rq AARQ
	aare, ref := s.accept(ctx, apdu, &rq)
	if ref != nil {
		s.srv.rejected.Add(1)
		s.log.Info("dlms: association refused", "client", s.client, "diagnostic", ref.diagnostic, "why", ref.why)
		aare = AARE{Context: rq.Context, Result: ref.result, DiagnosticSource: DiagnosticUser, Diagnostic: ref.diagnostic}
		if aare.Context == 0 {
			aare.Context = ContextLN
		}
		if ref.isInitiate {
			cse := ConfirmedServiceError{Service: ServiceInitiateError, ErrorType: ErrorTypeInitiate, Value: ref.initiate}
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
func (s *session) accept(ctx context.Context, apdu []byte, rq *AARQ) (AARE, *aarqRefusal) {
	if err := rq.Decode(apdu); err != nil {
		return AARE{}, refuse(DiagNoReasonGiven, "%v", err)
	}
	cl, ok := s.srv.cfg.Clients[s.client]
	if !ok {
		return AARE{}, refuse(DiagNoReasonGiven, "client %d has no association", s.client)
	}
	view, ok := s.srv.cfg.Tree.View(s.client)
	if !ok {
		return AARE{}, refuse(DiagNoReasonGiven, "client %d sees no objects", s.client)
	}
	ciphered := cl.Mechanism == MechanismHighGMAC
	wantContext := ContextLN
	if ciphered {
		wantContext = ContextLNCiphered
	}
	if rq.Context != wantContext {
		return AARE{}, refuse(DiagContextNotSupported, "context %s, client %d uses %s", rq.Context, s.client, wantContext)
	}
	mech := MechanismLowest
	if rq.HasMechanism {
		mech = rq.Mechanism
	}
	if mech != cl.Mechanism {
		if mech == MechanismLowest {
			return AARE{}, refuse(DiagAuthenticationRequired, "client %d must authenticate with %s", s.client, cl.Mechanism)
		}
		return AARE{}, refuse(DiagMechanismNotRecognised, "mechanism %s, client %d uses %s", mech, s.client, cl.Mechanism)
	}
	switch cl.Mechanism {
	case MechanismLow:
		if CheckPassword(s.srv.password(s.client), rq.CallingAuthValue) != nil {
			return AARE{}, refuse(DiagAuthenticationFailure, "wrong LLS password")
		}
	case MechanismHighGMAC:
		if ref := s.setUpCiphering(cl, rq); ref != nil {
			return AARE{}, ref
		}
	}
	ir, ref := s.initiateRequest(rq.UserInformation)
	if ref != nil {
		return AARE{}, ref
	}
	if ir.DLMSVersion < DLMSVersion {
		return AARE{}, refuseInitiate(InitiateDLMSVersionTooLow, fmt.Sprintf("DLMS version %d", ir.DLMSVersion))
	}
	offer := serverConformance
	if ciphered {
		offer |= ConformanceGeneralProtection
	}
	s.conformance = ir.Conformance & offer
	if s.conformance&(ConformanceGet|ConformanceSet|ConformanceAction) == 0 {
		return AARE{}, refuseInitiate(InitiateIncompatibleConformance, fmt.Sprintf("conformance %s", ir.Conformance))
	}
	s.sendLimit = int(ir.MaxPDUSize)
	if s.sendLimit == 0 {
		s.sendLimit = 0xFFFF // 0: the client states no limit
	}
	if s.sendLimit < minPDU {
		return AARE{}, refuseInitiate(InitiatePDUSizeTooShort, fmt.Sprintf("max PDU size %d", ir.MaxPDUSize))
	}
	if len(ir.DedicatedKey) > 0 {
		if s.sec == nil || s.sec.SetDedicatedKey(ir.DedicatedKey) != nil {
			return AARE{}, refuseInitiate(InitiateRefusedByVDEHandler, "unusable dedicated key")
		}
	}

	resp := InitiateResponse{DLMSVersion: DLMSVersion, Conformance: s.conformance, MaxPDUSize: s.srv.cfg.MaxPDU, VAAName: VAANameLN}
	ui, _ := resp.Append(nil)
	if ciphered {
		var err error
		if ui, err = s.sec.Protect(nil, ui, false); err != nil {
			return AARE{}, refuse(DiagNoReasonGiven, "protect InitiateResponse: %v", err)
		}
	}
	aare := AARE{Context: wantContext, Result: Accepted, DiagnosticSource: DiagnosticUser, Diagnostic: DiagNull, UserInformation: ui}
	status := cosem.Associated
	if cl.Mechanism != MechanismLowest {
		aare.HasMechanism, aare.Mechanism, aare.ResponderACSERequirements = true, cl.Mechanism, true
	}
	if ciphered {
		// HLS pass 2: the server's challenge; the association waits for
		// pass 3.
		aare.Diagnostic = DiagAuthenticationRequired
		aare.RespondingAPTitle = s.srv.cfg.SystemTitle
		aare.RespondingAuthValue = s.stoc
		status = cosem.AssociationPending
	}
	s.cl, s.assocClient = cl, s.client
	s.assoc = cosem.NewAssociationLN(cosem.AssociationConfig{
		ClientSAP: s.client, ServerSAP: 1, Context: uint8(wantContext), Mechanism: uint8(cl.Mechanism),
		Conformance: uint32(s.conformance), MaxReceivePDU: s.srv.cfg.MaxPDU, MaxSendPDU: uint16(min(s.sendLimit, 0xFFFF)),
		DLMSVersion: DLMSVersion, SecuritySetup: securitySetupOf(cl), Rights: associationRights(cl.Mechanism), Auth: s,
	}, view)
	s.assoc.SetStatus(status)
	return aare, nil
}

// setUpCiphering builds the association's security context from the
// client's keys and titles and draws the server's challenge.
func (s *session) setUpCiphering(cl ClientPolicy, rq *AARQ) *aarqRefusal {
	if len(rq.CallingAPTitle) != SystemTitleSize || (cl.SystemTitle != nil && !bytes.Equal(cl.SystemTitle, rq.CallingAPTitle)) {
		return refuse(DiagCallingAPTitleNotRecognized, "client system title %X", rq.CallingAPTitle)
	}
	if n := len(rq.CallingAuthValue); n < 8 || n > 64 {
		return refuse(DiagAuthenticationFailure, "challenge of %d bytes", n)
	}
	ek, err1 := cl.Keys.Key(cosem.KeyGlobalUnicast)
	ak, err2 := cl.Keys.Key(cosem.KeyAuthentication)
	if err1 != nil || err2 != nil {
		return refuse(DiagNoReasonGiven, "keys of client %d: %v %v", s.client, err1, err2)
	}
	bk, _ := cl.Keys.Key(cosem.KeyGlobalBroadcast)
	policy := cl.Policy
	if policy == 0 {
		policy = SecurityAuthenticatedEncryption
	}
	send, receive := CounterKeys(s.client)
	sec, err := NewSecurityContext(SecurityConfig{EncryptionKey: ek, BroadcastKey: bk, AuthenticationKey: ak,
		LocalTitle: s.srv.cfg.SystemTitle, PeerTitle: rq.CallingAPTitle, Policy: policy,
		Counters: s.srv.cfg.Counters, SendKey: send, ReceiveKey: receive})
	if err != nil {
		return refuse(DiagNoReasonGiven, "security context: %v", err)
	}
	stoc, err := NewChallenge(s.srv.cfg.Rand, 16)
	if err != nil {
		return refuse(DiagNoReasonGiven, "%v", err)
	}
	s.sec, s.ctos, s.stoc = sec, bytes.Clone(rq.CallingAuthValue), stoc
	return nil
}

// initiateRequest reads the InitiateRequest of the AARQ's
// user-information, deciphering it in a ciphered association.
func (s *session) initiateRequest(ui []byte) (InitiateRequest, *aarqRefusal) {
	var ir InitiateRequest
	if len(ui) == 0 {
		return ir, refuseInitiate(InitiateOther, "no InitiateRequest")
	}
	if s.sec != nil {
		if ui[0] != 0x21 { // glo-initiate-request
			return ir, refuse(DiagAuthenticationFailure, "InitiateRequest not ciphered")
		}
		plain, err := s.sec.Open(nil, ui)
		if err != nil {
			// A wrong key fails here, before HLS pass 3.
			return ir, refuse(DiagAuthenticationFailure, "InitiateRequest does not decipher: %v", err)
		}
		ui = plain
	}
	if err := ir.Decode(ui); err != nil {
		return ir, refuseInitiate(InitiateOther, err.Error())
	}
	return ir, nil
}

// release answers an RLRQ with an RLRE and ends the association; the
// connection stays open for another AARQ. In a ciphered association the
// RLRQ may carry a ciphered InitiateRequest, answered in kind.
func (s *session) release(apdu []byte) []byte {
	var rq RLRQ
	rle := RLRE{HasReason: true, Reason: 0}
	if err := rq.Decode(apdu); err == nil && len(rq.UserInformation) > 0 && s.sec != nil {
		if _, ref := s.initiateRequest(rq.UserInformation); ref == nil {
			resp := InitiateResponse{DLMSVersion: DLMSVersion, Conformance: s.conformance, MaxPDUSize: s.srv.cfg.MaxPDU, VAAName: VAANameLN}
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
	if s.cl.Mechanism != MechanismLow {
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
	if cl.Mechanism == MechanismHighGMAC {
		return cosem.OBIS{0, 0, 43, 0, 0, 255}
	}
	return cosem.OBIS{}
}

// associationRights are each kind of client's rights on its own
// association object: every attribute but the secret readable;
// reply_to_HLS_authentication for HLS clients; the LLS client may change
// its password.
func associationRights(m Mechanism) *cosem.Rights {
	r := cosem.ReadOnly(cosem.LookupClass(cosem.ClassAssociationLN))
	r.Attributes[6].Access = cosem.NoAccess
	switch m {
	case MechanismLow:
		r.Attributes[6].Access = cosem.Write
	case MechanismHighGMAC:
		r.Methods[0] = cosem.MethodAccessible
	}
	return r
}
