package dlms

import (
	"context"
	"fmt"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Overheads of the block forms (Green Book §9.4.6.4): tag, choice, invoke
// id, last-block, block number, the raw-data CHOICE byte and a length of
// up to three bytes.
const (
	getBlockOverhead    = 3 + 1 + 4 + 1 + 3
	actionBlockOverhead = 3 + 1 + 4 + 3
)

// ref names what an attribute or method descriptor designates.
func attrRef(a apdu.AttributeDescriptor) cosem.Ref {
	return cosem.Ref{Class: cosem.ClassID(a.ClassID), Name: cosem.OBIS(a.Instance), ID: a.Attribute}
}

func methodRef(m apdu.MethodDescriptor) cosem.Ref {
	return cosem.Ref{Class: cosem.ClassID(m.ClassID), Name: cosem.OBIS(m.Instance), ID: m.Method}
}

func (s *session) allowed(c apdu.Conformance) bool { return s.conformance&c == c }

// get answers a GET request: normal, next block, or with-list. Answers
// longer than limit go out in blocks.
func (s *session) get(ctx context.Context, r *apdu.GetRequest, authenticated bool, limit int) []byte {
	switch r.Choice {
	case apdu.GetNormal:
		s.longGet.active = false
		a := r.Attributes[0]
		data, err := s.getOne(ctx, s.data[:0], a, authenticated)
		s.data = data
		if err != nil {
			s.out = append(s.out[:0], apdu.TagGetResponse, apdu.GetNormal, byte(r.InvokeID), 1, byte(resultOf(err)))
			return s.out
		}
		if 4+len(data) <= limit {
			s.out = append(append(s.out[:0], apdu.TagGetResponse, apdu.GetNormal, byte(r.InvokeID), 0), data...)
			return s.out
		}
		return s.startLongGet(r.InvokeID, limit)
	case apdu.GetWithList:
		if !s.allowed(apdu.ConformanceMultipleReferences) {
			return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceNotSupported, "get-with-list not negotiated")
		}
		s.longGet.active = false
		// The answer is SEQUENCE OF Get-Data-Result, the same bytes
		// whether it goes in one APDU or in blocks.
		data := axdr.AppendLength(s.data[:0], len(r.Attributes))
		for _, a := range r.Attributes {
			n := len(data)
			var err error
			if data, err = s.getOne(ctx, append(data, 0), a, authenticated); err != nil {
				data = append(data[:n], 1, byte(resultOf(err)))
			}
		}
		s.data = data
		if 3+len(data) <= limit {
			s.out = append(append(s.out[:0], apdu.TagGetResponse, apdu.GetWithList, byte(r.InvokeID)), data...)
			return s.out
		}
		return s.startLongGet(r.InvokeID, limit)
	case apdu.GetNext:
		g := &s.longGet
		switch {
		case !g.active:
			return s.getBlockError(r.InvokeID, r.BlockNumber, apdu.NoLongGetInProgress)
		case r.BlockNumber != g.block:
			g.active = false
			return s.getBlockError(r.InvokeID, r.BlockNumber, apdu.DataBlockNumberInvalid)
		}
		return s.nextGetBlock(r.InvokeID, limit)
	}
	return s.exception(apdu.StateServiceUnknown, apdu.ServiceNotSupported, "get-request choice")
}

// getOne reads one attribute, checking what the association negotiated.
func (s *session) getOne(ctx context.Context, dst []byte, a apdu.AttributeSelection, authenticated bool) ([]byte, error) {
	var sel *cosem.Selector
	if a.Access.Selector != 0 {
		if !s.allowed(apdu.ConformanceSelectiveAccess) {
			return dst, fmt.Errorf("%w: selective access not negotiated", cosem.ErrScopeOfAccess)
		}
		sel = &cosem.Selector{ID: a.Access.Selector, Params: a.Access.Params}
	}
	return cosem.Get(ctx, s.assoc, dst, attrRef(a.Attribute), sel, authenticated)
}

// startLongGet sends s.data in blocks: the first now, the rest on
// get-request-next.
func (s *session) startLongGet(iip apdu.InvokeIDAndPriority, limit int) []byte {
	if !s.allowed(apdu.ConformanceBlockTransferWithGet) {
		return s.exception(apdu.StateServiceNotAllowed, apdu.ServicePDUTooLong, "answer exceeds the PDU size without block transfer")
	}
	// The answer keeps its buffer until sent; the next request gets
	// another.
	s.longGet = longOut{active: true, data: s.data}
	s.data = nil
	return s.nextGetBlock(iip, limit)
}

func (s *session) nextGetBlock(iip apdu.InvokeIDAndPriority, limit int) []byte {
	g := &s.longGet
	n := min(limit-getBlockOverhead, len(g.data)-g.off)
	g.block++
	last := g.off+n == len(g.data)
	resp := apdu.GetResponse{Choice: apdu.GetWithDatablock, InvokeID: iip, Block: apdu.DataBlock{Last: last, Number: g.block, Raw: g.data[g.off : g.off+n]}}
	s.out, _ = resp.Append(s.out[:0])
	g.off += n
	if last {
		s.data, g.data = g.data[:0], nil // reuse the buffer
		g.active = false
	}
	return s.out
}

func (s *session) getBlockError(iip apdu.InvokeIDAndPriority, n uint32, res apdu.DataAccessResult) []byte {
	resp := apdu.GetResponse{Choice: apdu.GetWithDatablock, InvokeID: iip, Block: apdu.DataBlock{Last: true, Number: n, Err: res}}
	s.out, _ = resp.Append(s.out[:0])
	return s.out
}

// set answers a SET request: normal, with-list, or in datablocks.
func (s *session) set(ctx context.Context, r *apdu.SetRequest, authenticated bool) []byte {
	resp := apdu.SetResponse{InvokeID: r.InvokeID}
	switch r.Choice {
	case apdu.SetNormal:
		s.longIn.active = false
		resp.Choice = apdu.SetResponseNormal
		resp.Results = []apdu.DataAccessResult{s.setOne(ctx, r.Attributes[0], r.Values[0], authenticated)}
	case apdu.SetWithList:
		if !s.allowed(apdu.ConformanceMultipleReferences) {
			return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceNotSupported, "set-with-list not negotiated")
		}
		s.longIn.active = false
		resp.Choice = apdu.SetResponseWithList
		for i, a := range r.Attributes {
			res := apdu.TypeUnmatched
			if i < len(r.Values) {
				res = s.setOne(ctx, a, r.Values[i], authenticated)
			}
			resp.Results = append(resp.Results, res)
		}
	case apdu.SetWithFirstDatablock, apdu.SetWithListFirstDatablock:
		if !s.allowed(apdu.ConformanceBlockTransferWithSet) {
			return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceNotSupported, "set with datablocks not negotiated")
		}
		in := &s.longIn
		*in = longIn{active: true, service: apdu.TagSetRequest, list: r.Choice == apdu.SetWithListFirstDatablock,
			attrs: append(in.attrs[:0], r.Attributes...), raw: in.raw[:0]}
		for i := range in.attrs {
			// The parameters alias this request; the selector alone is
			// enough for setOne to refuse a SET with selective access.
			in.attrs[i].Access.Params = nil
		}
		return s.setBlock(ctx, r, authenticated)
	case apdu.SetWithDatablock:
		return s.setBlock(ctx, r, authenticated)
	default:
		return s.exception(apdu.StateServiceUnknown, apdu.ServiceNotSupported, "set-request choice")
	}
	if !confirmed(r.InvokeID) {
		return nil
	}
	s.out, _ = resp.Append(s.out[:0])
	return s.out
}

func confirmed(p apdu.InvokeIDAndPriority) bool { return p&apdu.Confirmed != 0 }

func (s *session) setOne(ctx context.Context, a apdu.AttributeSelection, value []axdr.Value, authenticated bool) apdu.DataAccessResult {
	if a.Access.Selector != 0 {
		return apdu.ScopeOfAccessViolated
	}
	if err := cosem.Set(ctx, s.assoc, attrRef(a.Attribute), value, authenticated); err != nil {
		return resultOf(err)
	}
	return apdu.Success
}

// setBlock takes one block of a SET with datablocks; after the last it
// decodes the value(s) and writes them.
func (s *session) setBlock(ctx context.Context, r *apdu.SetRequest, authenticated bool) []byte {
	in := &s.longIn
	fail := func(res apdu.DataAccessResult) []byte {
		in.active = false
		resp := apdu.SetResponse{Choice: apdu.SetResponseLastDatablock, InvokeID: r.InvokeID, Results: []apdu.DataAccessResult{res}, BlockNumber: r.Block.Number}
		s.out, _ = resp.Append(s.out[:0])
		return s.out
	}
	if res := s.takeBlock(apdu.TagSetRequest, r.Block); res != apdu.Success {
		return fail(res)
	}
	if !r.Block.Last {
		resp := apdu.SetResponse{Choice: apdu.SetResponseDatablock, InvokeID: r.InvokeID, BlockNumber: in.block}
		s.out, _ = resp.Append(s.out[:0])
		return s.out
	}
	in.active = false
	values, ok := s.decodeValues(in.raw, in.list, len(in.attrs))
	if !ok {
		return fail(apdu.TypeUnmatched)
	}
	resp := apdu.SetResponse{Choice: apdu.SetResponseLastDatablock, InvokeID: r.InvokeID, BlockNumber: in.block}
	if in.list {
		resp.Choice = apdu.SetResponseLastDatablockWithList
	}
	for i, a := range in.attrs {
		resp.Results = append(resp.Results, s.setOne(ctx, a, values[i], authenticated))
	}
	s.out, _ = resp.Append(s.out[:0])
	return s.out
}

// takeBlock appends a block of a long SET or ACTION to s.longIn: numbers
// run 1, 2, 3…, and the total stays within MaxBlockData.
func (s *session) takeBlock(service byte, b apdu.DataBlock) apdu.DataAccessResult {
	in := &s.longIn
	switch {
	case !in.active || in.service != service:
		if service == apdu.TagSetRequest {
			return apdu.NoLongSetInProgress
		}
		return apdu.DataBlockUnavailable
	case b.Number != in.block+1:
		return apdu.DataBlockNumberInvalid
	case len(in.raw)+len(b.Raw) > s.srv.cfg.MaxBlockData:
		if service == apdu.TagSetRequest {
			return apdu.LongSetAborted
		}
		return apdu.OtherReason
	}
	in.raw = append(in.raw, b.Raw...)
	in.block = b.Number
	return apdu.Success
}

// decodeValues reads the Data of a long SET or ACTION: one value, or for a
// list a count and that many values. It returns one tree per value.
func (s *session) decodeValues(raw []byte, list bool, want int) ([][]axdr.Value, bool) {
	d := axdr.NewDecoder(raw)
	n := 1
	if list {
		n = d.Count(1)
	}
	if d.Err() != nil || n != want {
		return nil, false
	}
	s.vals = s.vals[:0]
	bounds := make([]int, 0, n+1)
	for range n {
		bounds = append(bounds, len(s.vals))
		s.vals = d.Value(s.vals)
	}
	bounds = append(bounds, len(s.vals))
	if d.Err() != nil || d.Len() != 0 {
		return nil, false
	}
	out := make([][]axdr.Value, n)
	for i := range n {
		out[i] = s.vals[bounds[i]:bounds[i+1]]
	}
	return out, true
}

// action answers an ACTION request: normal, with-list, in pblocks, or the
// next pblock of a long answer.
func (s *session) action(ctx context.Context, r *apdu.ActionRequest, authenticated bool, limit int) []byte {
	switch r.Choice {
	case apdu.ActionNormal:
		s.longIn.active, s.longAct.active = false, false
		var params []axdr.Value
		if len(r.Params) > 0 {
			params = r.Params[0]
		}
		return s.actionAnswer(ctx, r.InvokeID, r.Methods, [][]axdr.Value{params}, false, authenticated, limit)
	case apdu.ActionWithList:
		if !s.allowed(apdu.ConformanceMultipleReferences) {
			return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceNotSupported, "action-with-list not negotiated")
		}
		s.longIn.active, s.longAct.active = false, false
		if len(r.Params) != len(r.Methods) {
			return s.exception(apdu.StateServiceUnknown, apdu.ServiceOtherReason, "action-with-list: methods and parameters differ in number")
		}
		return s.actionAnswer(ctx, r.InvokeID, r.Methods, r.Params, true, authenticated, limit)
	case apdu.ActionWithFirstPblock, apdu.ActionWithListAndFirstBlock:
		if !s.allowed(apdu.ConformanceBlockTransferWithAction) {
			return s.exception(apdu.StateServiceNotAllowed, apdu.ServiceNotSupported, "action with pblocks not negotiated")
		}
		in := &s.longIn
		*in = longIn{active: true, service: apdu.TagActionRequest, list: r.Choice == apdu.ActionWithListAndFirstBlock,
			methods: append(in.methods[:0], r.Methods...), raw: in.raw[:0]}
		return s.actionBlock(ctx, r, authenticated, limit)
	case apdu.ActionWithPblock:
		return s.actionBlock(ctx, r, authenticated, limit)
	case apdu.ActionNextPblock:
		g := &s.longAct
		if !g.active || r.BlockNumber != g.block {
			g.active = false
			return s.actionResult(r.InvokeID, apdu.ActionLongActionAborted)
		}
		return s.nextActionBlock(r.InvokeID, limit)
	}
	return s.exception(apdu.StateServiceUnknown, apdu.ServiceNotSupported, "action-request choice")
}

func (s *session) actionResult(iip apdu.InvokeIDAndPriority, res apdu.ActionResult) []byte {
	s.out = append(s.out[:0], apdu.TagActionResponse, apdu.ActionResponseNormal, byte(iip), byte(res), 0)
	return s.out
}

// actionBlock takes one pblock of a long ACTION; after the last it invokes
// the method(s).
func (s *session) actionBlock(ctx context.Context, r *apdu.ActionRequest, authenticated bool, limit int) []byte {
	in := &s.longIn
	if res := s.takeBlock(apdu.TagActionRequest, r.Block); res != apdu.Success {
		in.active = false
		return s.actionResult(r.InvokeID, apdu.ActionResult(res))
	}
	if !r.Block.Last {
		resp := apdu.ActionResponse{Choice: apdu.ActionResponseNextPblock, InvokeID: r.InvokeID, BlockNumber: in.block}
		s.out, _ = resp.Append(s.out[:0])
		return s.out
	}
	in.active = false
	params, ok := s.decodeValues(in.raw, in.list, len(in.methods))
	if !ok {
		return s.actionResult(r.InvokeID, apdu.ActionTypeUnmatched)
	}
	return s.actionAnswer(ctx, r.InvokeID, in.methods, params, in.list, authenticated, limit)
}

// actionAnswer invokes the methods and answers: action-response-normal
// (result, then optional Get-Data-Result) or -with-list; in pblocks when
// too long, the pblocks carrying the encoded return data.
func (s *session) actionAnswer(ctx context.Context, iip apdu.InvokeIDAndPriority, methods []apdu.MethodDescriptor, params [][]axdr.Value, list, authenticated bool, limit int) []byte {
	data := s.data[:0]
	if list {
		data = axdr.AppendLength(data, len(methods))
	}
	for i, m := range methods {
		n := len(data)
		data = append(data, 0, 1, 0) // result success, return data present, Data
		out, err := cosem.Action(ctx, s.assoc, data, methodRef(m), params[i], authenticated)
		switch {
		case err != nil:
			data = append(data[:n], byte(apdu.ActionResult(resultOf(err))), 0)
		case len(out) == len(data):
			data = append(data[:n], 0, 0) // success, no return data
		default:
			data = out
		}
	}
	s.data = data
	if !confirmed(iip) {
		return nil
	}
	choice := apdu.ActionResponseNormal
	if list {
		choice = apdu.ActionResponseWithList
	}
	if 3+len(data) <= limit {
		s.out = append(append(s.out[:0], apdu.TagActionResponse, choice, byte(iip)), data...)
		return s.out
	}
	if list || !s.allowed(apdu.ConformanceBlockTransferWithAction) {
		return s.exception(apdu.StateServiceNotAllowed, apdu.ServicePDUTooLong, "action answer exceeds the PDU size")
	}
	// One method with long return data: its Data goes in pblocks.
	s.longAct = longOut{active: true, data: data[3:]}
	s.data = nil
	return s.nextActionBlock(iip, limit)
}

func (s *session) nextActionBlock(iip apdu.InvokeIDAndPriority, limit int) []byte {
	g := &s.longAct
	n := min(limit-actionBlockOverhead, len(g.data)-g.off)
	g.block++
	last := g.off+n == len(g.data)
	resp := apdu.ActionResponse{Choice: apdu.ActionResponseWithPblock, InvokeID: iip, Block: apdu.DataBlock{Last: last, Number: g.block, Raw: g.data[g.off : g.off+n]}}
	s.out, _ = resp.Append(s.out[:0])
	g.off += n
	if last {
		g.active = false
		g.data = nil
	}
	return s.out
}
