package dlms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
)

// protection is how a request was protected, and so how its response must
// be.
type protection uint8

const (
	protNone protection = iota
	protGlobal
	protDedicated
	protGeneral // general-glo-ciphering
)

// cipherOverhead bounds what protection adds to an APDU: general-glo tag,
// title length and title (10), length (≤ 3), SC and IC (5), GCM tag (12).
const cipherOverhead = 30

// session is one connection's association state machine: no association,
// association pending (HLS pass 3 awaited) or associated, and the state of
// block transfers in either direction. It is driven by one goroutine.
type session struct {
	srv    *Server
	log    *slog.Logger
	client uint16 // the client address of the APDU being handled

	// The association; assoc is nil when there is none.
	assoc       *cosem.AssociationLN
	assocClient uint16
	cl          ClientPolicy
	sec         *security.Context // ciphered associations only
	conformance apdu.Conformance
	sendLimit   int    // the client's max receive PDU size
	ctos, stoc  []byte // HLS challenges
	hlsFailed   bool

	longGet longOut // a GET answer going out in blocks
	longAct longOut // an ACTION answer going out in blocks
	longIn  longIn  // a SET or ACTION coming in in blocks

	// Scratch, reused from request to request.
	ca                  apdu.Ciphered
	getReq              apdu.GetRequest
	setReq              apdu.SetRequest
	actReq              apdu.ActionRequest
	plain, out, data    []byte
	wire                []byte
	vals                []axdr.Value
	reqPlain, respPlain []byte // what the tracer shows
}

// longOut is an answer too long for one APDU, sent block by block.
type longOut struct {
	active bool
	data   []byte
	off    int
	block  uint32
}

// longIn is a request arriving in blocks: SET with datablocks or ACTION
// with pblocks.
type longIn struct {
	active  bool
	service byte // TagSetRequest or TagActionRequest
	list    bool
	attrs   []apdu.AttributeSelection
	methods []apdu.MethodDescriptor
	raw     []byte
	block   uint32
}

func newSession(s *Server) *session { return &session{srv: s, log: s.log} }

// handle answers one APDU; nil means no answer is due.
func (s *session) handle(ctx context.Context, req []byte) []byte {
	s.reqPlain, s.respPlain = nil, nil
	if len(req) == 0 {
		return s.exception(apdu.StateServiceUnknown, apdu.ServiceOtherReason, "empty APDU")
	}
	switch req[0] {
	case apdu.TagAARQ:
		return s.associate(ctx, req)
	case apdu.TagRLRQ:
		return s.release(req)
	}
	if s.assoc == nil {
		return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceOperationNotPossible, "no association")
	}
	if s.client != s.assocClient {
		return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceOperationNotPossible, "APDU from another client")
	}
	plain, prot, authenticated, refusal := s.unprotect(req)
	if refusal != nil {
		return refusal
	}
	if s.assoc.Status() == cosem.AssociationPending && !isHLSReply(plain) {
		return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceOperationNotPossible, "HLS pass 3 awaited")
	}
	limit := s.sendLimit
	if prot != protNone {
		limit -= cipherOverhead
	}
	resp := s.serve(ctx, plain, authenticated, limit)
	if resp == nil || resp[0] == apdu.TagExceptionResponse {
		return resp
	}
	if s.hlsFailed {
		// HLS pass 3 failed: answer it, then forget the association.
		defer s.reset()
		s.srv.rejected.Add(1)
		s.log.Warn("dlms: HLS authentication failed", "client", s.assocClient)
	}
	if prot == protNone {
		return resp
	}
	s.respPlain = resp
	var err error
	if prot == protGeneral {
		s.wire, err = s.sec.ProtectGeneral(s.wire[:0], resp, false)
	} else {
		s.wire, err = s.sec.Protect(s.wire[:0], resp, prot == protDedicated)
	}
	if err != nil {
		s.log.Error("dlms: protect response", "client", s.assocClient, "err", err)
		return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceOperationNotPossible, "cannot protect the response")
	}
	return s.wire
}

// unprotect opens a ciphered request. A ciphered association takes only
// ciphered requests; an unciphered one takes none.
func (s *session) unprotect(req []byte) (plain []byte, prot protection, authenticated bool, refusal []byte) {
	_, glo := apdu.PlainTag(req[0])
	ciphered := glo || req[0] == apdu.TagGeneralGloCiphering || req[0] == apdu.TagGeneralDedCiphering
	switch {
	case !ciphered && s.sec == nil:
		return req, protNone, false, nil
	case !ciphered:
		return nil, 0, false, s.exception(apdu.StateServiceNotAllowed, apdu.ServiceDecipheringError, "unciphered APDU in a ciphered association")
	case s.sec == nil:
		return nil, 0, false, s.exception(apdu.StateServiceNotAllowed, apdu.ServiceDecipheringError, "ciphered APDU without ciphering")
	}
	if err := s.ca.Decode(req); err != nil {
		return nil, 0, false, s.exception(apdu.StateServiceNotAllowed, apdu.ServiceDecipheringError, err.Error())
	}
	var err error
	s.plain, err = s.sec.OpenAPDU(s.plain[:0], &s.ca)
	switch {
	case errors.Is(err, security.ErrReplay):
		s.srv.replays.Add(1)
		s.log.Warn("dlms: replayed invocation counter rejected", "client", s.assocClient, "ic", s.ca.InvocationCounter)
		return nil, 0, false, s.exceptionIC(s.srv.InvocationCounter(s.assocClient) + 1)
	case err != nil:
		s.log.Warn("dlms: ciphered APDU refused", "client", s.assocClient, "err", err)
		return nil, 0, false, s.exception(apdu.StateServiceNotAllowed, apdu.ServiceDecipheringError, "")
	case len(s.plain) == 0:
		return nil, 0, false, s.exception(apdu.StateServiceUnknown, apdu.ServiceOtherReason, "empty ciphered APDU")
	}
	s.reqPlain = s.plain
	prot = protGlobal
	switch {
	case s.ca.General():
		prot = protGeneral
	case s.ca.Dedicated():
		prot = protDedicated
	}
	return s.plain, prot, s.ca.SecurityControl&apdu.SecurityAuthentication != 0, nil
}

// isHLSReply reports whether plain is the one request allowed while HLS is
// pending: reply_to_HLS_authentication on the current association.
func isHLSReply(plain []byte) bool {
	var r apdu.ActionRequest
	if r.Decode(plain) != nil || r.Choice != apdu.ActionNormal {
		return false
	}
	m := r.Methods[0]
	return m.ClassID == uint16(cosem.ClassAssociationLN) && cosem.OBIS(m.Instance) == cosem.CurrentAssociation && m.Method == 1
}

// serve answers a plain xDLMS request.
func (s *session) serve(ctx context.Context, plain []byte, authenticated bool, limit int) []byte {
	switch plain[0] {
	case apdu.TagGetRequest:
		if err := s.getReq.Decode(plain); err != nil {
			return s.exception(apdu.StateServiceUnknown, apdu.ServiceOtherReason, err.Error())
		}
		return s.get(ctx, &s.getReq, authenticated, limit)
	case apdu.TagSetRequest:
		if err := s.setReq.Decode(plain); err != nil {
			return s.exception(apdu.StateServiceUnknown, apdu.ServiceOtherReason, err.Error())
		}
		return s.set(ctx, &s.setReq, authenticated)
	case apdu.TagActionRequest:
		if err := s.actReq.Decode(plain); err != nil {
			return s.exception(apdu.StateServiceUnknown, apdu.ServiceOtherReason, err.Error())
		}
		return s.action(ctx, &s.actReq, authenticated, limit)
	}
	return s.exception(apdu.StateServiceUnknown, apdu.ServiceNotSupported, fmt.Sprintf("APDU tag 0x%02X", plain[0]))
}

// exception answers with an ExceptionResponse (never ciphered). why is
// logged at debug level.
func (s *session) exception(state apdu.StateError, service apdu.ServiceError, why string) []byte {
	s.srv.exceptions.Add(1)
	s.log.Debug("dlms: exception response", "client", s.client, "state", state, "service", service, "why", why)
	r := apdu.ExceptionResponse{StateError: state, ServiceError: service}
	s.out, _ = r.Append(s.out[:0])
	return s.out
}

// exceptionIC answers invocation-counter-error with the lowest counter
// the server would accept.
func (s *session) exceptionIC(want uint32) []byte {
	s.srv.exceptions.Add(1)
	r := apdu.ExceptionResponse{StateError: apdu.StateServiceNotAllowed, ServiceError: apdu.ServiceInvocationCounterError, InvocationCounter: want}
	s.out, _ = r.Append(s.out[:0])
	return s.out
}

// reset forgets the association and any transfer in progress.
func (s *session) reset() {
	if s.assoc != nil {
		s.assoc.SetStatus(cosem.NonAssociated)
	}
	s.assoc, s.sec, s.ctos, s.stoc, s.hlsFailed = nil, nil, nil, nil, false
	s.longGet, s.longAct = longOut{}, longOut{}
	s.longIn = longIn{raw: s.longIn.raw[:0]}
}

// resultOf maps an object's error to its Data-Access-Result.
func resultOf(err error) apdu.DataAccessResult {
	for _, m := range []struct {
		err error
		res apdu.DataAccessResult
	}{
		{cosem.ErrDenied, apdu.ReadWriteDenied}, {cosem.ErrUndefined, apdu.ObjectUndefined},
		{cosem.ErrUnavailable, apdu.ObjectUnavailable}, {cosem.ErrTypeUnmatched, apdu.TypeUnmatched},
		{cosem.ErrScopeOfAccess, apdu.ScopeOfAccessViolated}, {cosem.ErrClassInconsistent, apdu.ObjectClassInconsistent},
		{cosem.ErrHardwareFault, apdu.HardwareFault}, {cosem.ErrTemporaryFailure, apdu.TemporaryFailure},
	} {
		if errors.Is(err, m.err) {
			return m.res
		}
	}
	return apdu.OtherReason
}
