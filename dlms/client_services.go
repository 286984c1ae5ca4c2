package dlms

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// AttributeRequest is one attribute of a GetWithList, with optional
// selective access.
type AttributeRequest struct {
	Ref      cosem.Ref
	Selector *cosem.Selector
}

// Result is one result of a GetWithList: a value, or the error (a
// DataAccessResult) the server answered for it.
type Result struct {
	Value []axdr.Value
	Err   error
}

// AccessError is a Data-Access-Result other than success: a GET or SET
// the server refused, or a refused ACTION return value. Match it with
// errors.As.
type AccessError struct{ Result apdu.DataAccessResult }

func (e AccessError) Error() string { return "dlms: " + e.Result.String() }

// ActionError is an Action-Result other than success.
type ActionError struct{ Result apdu.ActionResult }

func (e ActionError) Error() string { return "dlms: " + e.Result.String() }

// ErrResponse is wrapped by errors about responses that do not fit the
// request: another service, another invoke id, a block out of order.
var ErrResponse = errors.New("dlms: unexpected response")

func attributeDescriptor(r cosem.Ref) apdu.AttributeDescriptor {
	return apdu.AttributeDescriptor{ClassID: uint16(r.Class), Instance: apdu.InstanceID(r.Name), Attribute: r.ID}
}

func selection(r AttributeRequest) apdu.AttributeSelection {
	s := apdu.AttributeSelection{Attribute: attributeDescriptor(r.Ref)}
	if r.Selector != nil {
		s.Access = apdu.SelectiveAccess{Selector: r.Selector.ID, Params: r.Selector.Params}
	}
	return s
}

// requestRoom is how much of the server's PDU size a request may fill:
// less the ciphering overhead in a ciphered association.
func (c *Client) requestRoom() int {
	if c.sec != nil {
		return c.serverMax - cipherOverhead
	}
	return c.serverMax
}

// Get reads one attribute, with selective access when sel is not nil,
// following data blocks to the end. The value is the caller's. A result
// the server refuses is returned as a DataAccessResult error (errors.As).
func (c *Client) Get(ctx context.Context, ref cosem.Ref, sel *cosem.Selector) ([]axdr.Value, error) {
	raw, err := c.get(ctx, apdu.GetNormal, []AttributeRequest{{ref, sel}})
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", ref, err)
	}
	vals, err := axdr.Decode(nil, raw)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", ref, err)
	}
	return vals, nil
}

// GetWithList reads several attributes in one request; each result has a
// value or an error.
func (c *Client) GetWithList(ctx context.Context, reqs []AttributeRequest) ([]Result, error) {
	raw, err := c.get(ctx, apdu.GetWithList, reqs)
	if err != nil {
		return nil, fmt.Errorf("GET with list: %w", err)
	}
	d := axdr.NewDecoder(raw)
	n := d.Count(2)
	if d.Err() != nil || n != len(reqs) {
		return nil, fmt.Errorf("%w: GET with list of %d answered with %d results", ErrResponse, len(reqs), n)
	}
	out := make([]Result, n)
	for i := range out {
		switch choice := d.Uint8(); choice {
		case 0:
			out[i].Value = d.Value(nil)
		case 1:
			out[i].Err = fmt.Errorf("GET %s: %w", reqs[i].Ref, AccessError{apdu.DataAccessResult(d.Uint8())})
		default:
			d.Fail(fmt.Errorf("%w %d", apdu.ErrBadChoice, choice))
		}
	}
	if d.Err() == nil && d.Len() != 0 {
		d.Fail(apdu.ErrTrailing)
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("GET with list: %w", err)
	}
	return out, nil
}

// get sends a GET (normal or with-list) and returns the encoded answer,
// owned by the caller: the Data of a normal GET, the SEQUENCE OF
// Get-Data-Result of a with-list.
func (c *Client) get(ctx context.Context, choice byte, reqs []AttributeRequest) ([]byte, error) {
	if !c.associated {
		return nil, ErrNotAssociated
	}
	iip := c.nextInvoke()
	rq := &c.getReq
	rq.Choice, rq.InvokeID, rq.Attributes = choice, iip, rq.Attributes[:0]
	for _, r := range reqs {
		rq.Attributes = append(rq.Attributes, selection(r))
	}
	req, err := rq.Append(c.req[:0])
	c.req = req
	if err != nil {
		return nil, err
	}
	var raw []byte
	gr := &c.getResp
	for expect := uint32(1); ; expect++ {
		resp, err := c.exchange(ctx, req)
		if err != nil {
			return nil, err
		}
		if err := gr.Decode(resp); err != nil {
			return nil, err
		}
		if gr.InvokeID.ID() != iip.ID() {
			return nil, fmt.Errorf("%w: invoke id %d, sent %d", ErrResponse, gr.InvokeID.ID(), iip.ID())
		}
		switch {
		case gr.Choice == apdu.GetNormal && choice == apdu.GetNormal:
			if e := gr.Results[0].Err; e != apdu.Success {
				return nil, AccessError{e}
			}
			return bytes.Clone(resp[4:]), nil
		case gr.Choice == apdu.GetWithList && choice == apdu.GetWithList:
			return bytes.Clone(resp[3:]), nil
		case gr.Choice != apdu.GetWithDatablock:
			return nil, fmt.Errorf("%w: get-response choice %d", ErrResponse, gr.Choice)
		}
		b := gr.Block
		switch {
		case b.Err != apdu.Success:
			return nil, AccessError{b.Err}
		case b.Number != expect:
			return nil, fmt.Errorf("%w: block %d, expected %d", ErrResponse, b.Number, expect)
		case len(raw)+len(b.Raw) > c.cfg.MaxResponse:
			return nil, fmt.Errorf("%w: answer longer than %d bytes", ErrResponse, c.cfg.MaxResponse)
		}
		raw = append(raw, b.Raw...)
		if b.Last {
			return raw, nil
		}
		next := apdu.GetRequest{Choice: apdu.GetNext, InvokeID: iip, BlockNumber: b.Number}
		req, _ = next.Append(req[:0])
		c.req = req
	}
}

// Set writes one attribute; values too long for one APDU go in data
// blocks. A refusal is returned as a DataAccessResult error.
func (c *Client) Set(ctx context.Context, ref cosem.Ref, value []axdr.Value) error {
	if err := c.set(ctx, ref, value); err != nil {
		return fmt.Errorf("SET %s: %w", ref, err)
	}
	return nil
}

func (c *Client) set(ctx context.Context, ref cosem.Ref, value []axdr.Value) error {
	if !c.associated {
		return ErrNotAssociated
	}
	iip := c.nextInvoke()
	sa := apdu.AttributeSelection{Attribute: attributeDescriptor(ref)}
	rq := apdu.SetRequest{Choice: apdu.SetNormal, InvokeID: iip, Attributes: []apdu.AttributeSelection{sa}, Values: [][]axdr.Value{value}}
	req, err := rq.Append(nil)
	if err != nil {
		return err
	}
	var sr apdu.SetResponse
	if len(req) <= c.requestRoom() {
		resp, err := c.exchange(ctx, req)
		if err != nil {
			return err
		}
		return c.setResult(&sr, resp, iip, apdu.SetResponseNormal, 0)
	}
	if c.conformance&apdu.ConformanceBlockTransferWithSet == 0 {
		return fmt.Errorf("%w: value of %d bytes exceeds the server's PDU size and block transfer was not negotiated", apdu.ErrEncode, len(req))
	}
	raw, _ := axdr.Append(nil, value)
	room := c.requestRoom() - (3 + 9 + 1 + 1 + 4 + 3) // header, descriptor, access, last, number, length
	for n, off := uint32(1), 0; ; n++ {
		end := min(off+room, len(raw))
		last := end == len(raw)
		blk := apdu.SetRequest{Choice: apdu.SetWithDatablock, InvokeID: iip, Block: apdu.DataBlock{Last: last, Number: n, Raw: raw[off:end]}}
		if n == 1 {
			blk.Choice, blk.Attributes = apdu.SetWithFirstDatablock, []apdu.AttributeSelection{sa}
		}
		req, _ = blk.Append(req[:0])
		resp, err := c.exchange(ctx, req)
		if err != nil {
			return err
		}
		if last {
			return c.setResult(&sr, resp, iip, apdu.SetResponseLastDatablock, n)
		}
		if err := sr.Decode(resp); err != nil {
			return err
		}
		if sr.Choice == apdu.SetResponseLastDatablock && len(sr.Results) == 1 && sr.Results[0] != apdu.Success {
			return AccessError{sr.Results[0]} // the server gave up early
		}
		if sr.Choice != apdu.SetResponseDatablock || sr.BlockNumber != n || sr.InvokeID.ID() != iip.ID() {
			return fmt.Errorf("%w: %s for block %d", ErrResponse, trimLine(sr.String()), n)
		}
		off = end
	}
}

func (c *Client) setResult(sr *apdu.SetResponse, resp []byte, iip apdu.InvokeIDAndPriority, choice byte, block uint32) error {
	if err := sr.Decode(resp); err != nil {
		return err
	}
	if sr.InvokeID.ID() != iip.ID() || sr.Choice != choice || len(sr.Results) != 1 || sr.BlockNumber != block {
		return fmt.Errorf("%w: %s", ErrResponse, trimLine(sr.String()))
	}
	if sr.Results[0] != apdu.Success {
		return AccessError{sr.Results[0]}
	}
	return nil
}

// Action invokes a method with params (nil for none) and returns its
// return data, nil when it has none. Long parameters and long return data
// travel in pblocks. A refusal is returned as an ActionResult error, a
// refused return value as a DataAccessResult error.
func (c *Client) Action(ctx context.Context, ref cosem.Ref, params []axdr.Value) ([]axdr.Value, error) {
	raw, err := c.action(ctx, ref, params)
	if err != nil {
		return nil, fmt.Errorf("ACTION %s: %w", ref, err)
	}
	if raw == nil {
		return nil, nil
	}
	vals, err := axdr.Decode(nil, raw)
	if err != nil {
		return nil, fmt.Errorf("ACTION %s: %w", ref, err)
	}
	return vals, nil
}

func (c *Client) action(ctx context.Context, ref cosem.Ref, params []axdr.Value) ([]byte, error) {
	if !c.associated {
		return nil, ErrNotAssociated
	}
	iip := c.nextInvoke()
	md := apdu.MethodDescriptor{ClassID: uint16(ref.Class), Instance: apdu.InstanceID(ref.Name), Method: ref.ID}
	rq := apdu.ActionRequest{Choice: apdu.ActionNormal, InvokeID: iip, Methods: []apdu.MethodDescriptor{md}}
	if params != nil {
		rq.Params = [][]axdr.Value{params}
	}
	req, err := rq.Append(nil)
	if err != nil {
		return nil, err
	}
	var resp []byte
	if len(req) <= c.requestRoom() {
		if resp, err = c.exchange(ctx, req); err != nil {
			return nil, err
		}
	} else if resp, err = c.actionBlocks(ctx, iip, md, params); err != nil {
		return nil, err
	}
	return c.actionReturn(ctx, iip, resp)
}

// actionBlocks sends long parameters in pblocks and returns the response
// to the last.
func (c *Client) actionBlocks(ctx context.Context, iip apdu.InvokeIDAndPriority, md apdu.MethodDescriptor, params []axdr.Value) ([]byte, error) {
	if c.conformance&apdu.ConformanceBlockTransferWithAction == 0 {
		return nil, fmt.Errorf("%w: parameters exceed the server's PDU size and block transfer was not negotiated", apdu.ErrEncode)
	}
	raw, _ := axdr.Append(nil, params)
	room := c.requestRoom() - (3 + 9 + 1 + 4 + 3)
	var ar apdu.ActionResponse
	var req []byte
	for n, off := uint32(1), 0; ; n++ {
		end := min(off+room, len(raw))
		last := end == len(raw)
		blk := apdu.ActionRequest{Choice: apdu.ActionWithPblock, InvokeID: iip, Block: apdu.DataBlock{Last: last, Number: n, Raw: raw[off:end]}}
		if n == 1 {
			blk.Choice, blk.Methods = apdu.ActionWithFirstPblock, []apdu.MethodDescriptor{md}
		}
		req, _ = blk.Append(req[:0])
		resp, err := c.exchange(ctx, req)
		if err != nil || last {
			return resp, err
		}
		if err := ar.Decode(resp); err != nil {
			return nil, err
		}
		if ar.Choice == apdu.ActionResponseNormal && len(ar.Results) == 1 && ar.Results[0].Result != apdu.ActionSuccess {
			return nil, ActionError{ar.Results[0].Result} // the server gave up early
		}
		if ar.Choice != apdu.ActionResponseNextPblock || ar.BlockNumber != n || ar.InvokeID.ID() != iip.ID() {
			return nil, fmt.Errorf("%w: %s for pblock %d", ErrResponse, trimLine(ar.String()), n)
		}
		off = end
	}
}

// actionReturn reads the final ACTION response, fetching the rest of long
// return data, and returns the encoded return data (nil for none).
func (c *Client) actionReturn(ctx context.Context, iip apdu.InvokeIDAndPriority, resp []byte) ([]byte, error) {
	var ar apdu.ActionResponse
	var raw []byte
	for expect := uint32(1); ; expect++ {
		if err := ar.Decode(resp); err != nil {
			return nil, err
		}
		if ar.InvokeID.ID() != iip.ID() {
			return nil, fmt.Errorf("%w: invoke id %d, sent %d", ErrResponse, ar.InvokeID.ID(), iip.ID())
		}
		switch ar.Choice {
		case apdu.ActionResponseNormal:
			o := ar.Results[0]
			switch {
			case o.Result != apdu.ActionSuccess:
				return nil, ActionError{o.Result}
			case !o.HasReturn:
				return nil, nil
			case o.Return.Err != apdu.Success:
				return nil, AccessError{o.Return.Err}
			}
			return bytes.Clone(resp[6:]), nil // C7 01 iip result 01 00 Data
		case apdu.ActionResponseWithPblock:
		default:
			return nil, fmt.Errorf("%w: action-response choice %d", ErrResponse, ar.Choice)
		}
		b := ar.Block
		switch {
		case b.Number != expect:
			return nil, fmt.Errorf("%w: pblock %d, expected %d", ErrResponse, b.Number, expect)
		case len(raw)+len(b.Raw) > c.cfg.MaxResponse:
			return nil, fmt.Errorf("%w: return data longer than %d bytes", ErrResponse, c.cfg.MaxResponse)
		}
		raw = append(raw, b.Raw...)
		if b.Last {
			return raw, nil
		}
		next := apdu.ActionRequest{Choice: apdu.ActionNextPblock, InvokeID: iip, BlockNumber: b.Number}
		req, _ := next.Append(nil)
		var err error
		if resp, err = c.exchange(ctx, req); err != nil {
			return nil, err
		}
	}
}

// octetStringValue is a one-value tree.
func octetStringValue(b []byte) []axdr.Value { return []axdr.Value{axdr.OctetString(b)} }

// trimLine returns the first line of an APDU's rendering, for errors.
func trimLine(s string) string {
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ObjectList reads the association view: the object_list of the current
// association.
func (c *Client) ObjectList(ctx context.Context) ([]cosem.ObjectListEntry, error) {
	v, err := c.Get(ctx, cosem.Ref{Class: cosem.ClassAssociationLN, Name: cosem.CurrentAssociation, ID: 2}, nil)
	if err != nil {
		return nil, err
	}
	return cosem.ParseObjectList(v)
}
