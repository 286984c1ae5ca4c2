package apdu

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Choices of Action-Request.
const (
	ActionNormal                byte = 1
	ActionNextPblock            byte = 2
	ActionWithList              byte = 3
	ActionWithFirstPblock       byte = 4
	ActionWithListAndFirstBlock byte = 5
	ActionWithPblock            byte = 6
)

// Choices of Action-Response.
const (
	ActionResponseNormal     byte = 1
	ActionResponseWithPblock byte = 2
	ActionResponseWithList   byte = 3
	ActionResponseNextPblock byte = 4
)

// ActionRequest is the Action-Request APDU (tag 0xC3):
//
//	C3 01 iip method 00|01 Data                          normal (parameters optional)
//	C3 02 iip block-number                               next-pblock
//	C3 03 iip count {method} count {Data}                with-list
//	C3 04 iip method last block-number raw-data          with-first-pblock
//	C3 05 iip count {method} last block-number raw-data  with-list-and-first-pblock
//	C3 06 iip last block-number raw-data                 with-pblock
type ActionRequest struct {
	Choice   byte
	InvokeID InvokeIDAndPriority
	Methods  []MethodDescriptor
	// Params holds the invocation parameters: none or one for normal
	// (absent when empty), one per method for with-list.
	Params      [][]axdr.Value
	Block       DataBlock // pblock; Err unused
	BlockNumber uint32    // next-pblock
	spans       []span
	arena       []axdr.Value
}

// Append appends the encoded request to dst.
func (r *ActionRequest) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagActionRequest, r.Choice, byte(r.InvokeID))
	var err error
	switch r.Choice {
	case ActionNormal, ActionWithFirstPblock:
		if len(r.Methods) != 1 {
			return dst, fmt.Errorf("%w: action-request choice %d with %d methods", ErrEncode, r.Choice, len(r.Methods))
		}
		dst = r.Methods[0].append(dst)
		if r.Choice == ActionWithFirstPblock {
			return appendBlockSA(dst, r.Block), nil
		}
		switch len(r.Params) {
		case 0:
			return append(dst, 0), nil
		case 1:
			return appendData(append(dst, 1), r.Params[0], "method-invocation-parameters")
		}
		return dst, fmt.Errorf("%w: action-request-normal with %d parameters", ErrEncode, len(r.Params))
	case ActionNextPblock:
		return appendU32(dst, r.BlockNumber), nil
	case ActionWithList, ActionWithListAndFirstBlock:
		dst = axdr.AppendLength(dst, len(r.Methods))
		for _, m := range r.Methods {
			dst = m.append(dst)
		}
		if r.Choice == ActionWithListAndFirstBlock {
			return appendBlockSA(dst, r.Block), nil
		}
		dst = axdr.AppendLength(dst, len(r.Params))
		for i, p := range r.Params {
			if dst, err = appendData(dst, p, fmt.Sprintf("method-invocation-parameters[%d]", i)); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case ActionWithPblock:
		return appendBlockSA(dst, r.Block), nil
	}
	return dst, fmt.Errorf("%w: action-request choice %d", ErrEncode, r.Choice)
}

// Decode replaces r with the request in b.
func (r *ActionRequest) Decode(b []byte) error {
	d := newDecoder(b, "ActionRequest")
	r.Choice = d.header(TagActionRequest)
	r.InvokeID = InvokeIDAndPriority(d.Uint8())
	r.Methods, r.Params, r.Block, r.BlockNumber, r.spans, r.arena = r.Methods[:0], r.Params[:0], DataBlock{}, 0, r.spans[:0], r.arena[:0]
	if err := d.check(""); err != nil {
		return err
	}
	switch r.Choice {
	case ActionNormal, ActionWithFirstPblock:
		r.Methods = append(r.Methods, d.methodDescriptor())
		if r.Choice == ActionWithFirstPblock {
			r.Block = d.blockSA()
		} else if d.optional() {
			r.spans = append(r.spans, d.value(&r.arena))
		}
		if err := d.check("method"); err != nil {
			return err
		}
	case ActionNextPblock:
		r.BlockNumber = d.Uint32()
	case ActionWithList, ActionWithListAndFirstBlock:
		n := d.Count(9)
		for i := 0; i < n; i++ {
			r.Methods = append(r.Methods, d.methodDescriptor())
		}
		if err := d.check("methods"); err != nil {
			return err
		}
		if r.Choice == ActionWithListAndFirstBlock {
			r.Block = d.blockSA()
			break
		}
		n = d.Count(1)
		for i := 0; i < n; i++ {
			r.spans = append(r.spans, d.value(&r.arena))
			if err := d.check("method-invocation-parameters[%d]", i); err != nil {
				return err
			}
		}
	case ActionWithPblock:
		r.Block = d.blockSA()
	default:
		d.badService(r.Choice)
	}
	if err := d.check("pblock"); err != nil {
		return err
	}
	for _, s := range r.spans {
		r.Params = append(r.Params, s.of(r.arena))
	}
	return d.end()
}

func (r *ActionRequest) String() string {
	names := map[byte]string{ActionNormal: "action-request-normal", ActionNextPblock: "action-request-next-pblock",
		ActionWithList: "action-request-with-list", ActionWithFirstPblock: "action-request-with-first-pblock",
		ActionWithListAndFirstBlock: "action-request-with-list-and-first-pblock", ActionWithPblock: "action-request-with-pblock"}
	name, ok := names[r.Choice]
	if !ok {
		return leaf("action-request choice=%d", r.Choice).String()
	}
	if r.Choice == ActionNextPblock {
		return leaf("%s %s block-number=%d", name, r.InvokeID, r.BlockNumber).String()
	}
	n := leaf("%s %s", name, r.InvokeID)
	for i, m := range r.Methods {
		n.kids = append(n.kids, leaf("method[%d]: %s", i, m))
	}
	for i, p := range r.Params {
		n.kids = append(n.kids, dataNode(fmt.Sprintf("parameters[%d]", i), p))
	}
	if r.Choice == ActionWithFirstPblock || r.Choice == ActionWithListAndFirstBlock || r.Choice == ActionWithPblock {
		n.kids = append(n.kids, blockNode("pblock", r.Block.Last, r.Block.Number, r.Block.Raw))
	}
	return n.String()
}

// ActionOutcome is Action-Response-With-Optional-Data: the result and,
// when HasReturn, the return parameters (data or a data-access-result).
type ActionOutcome struct {
	Result    ActionResult
	HasReturn bool
	Return    GetResult
}

func (o ActionOutcome) append(dst []byte) ([]byte, error) {
	dst = append(dst, byte(o.Result))
	if !o.HasReturn {
		return append(dst, 0), nil
	}
	return o.Return.append(append(dst, 1))
}

func (d *decoder) actionOutcome(arena *[]axdr.Value) ActionOutcome {
	o := ActionOutcome{Result: ActionResult(d.Uint8())}
	if d.optional() {
		o.HasReturn = true
		o.Return = d.getResult(arena)
	}
	return o
}

// ActionResponse is the Action-Response APDU (tag 0xC7):
//
//	C7 01 iip result 00|01 (00 Data | 01 data-access-result)   normal
//	C7 02 iip last block-number raw-data                        with-pblock
//	C7 03 iip count {result 00|01 ...}                          with-list
//	C7 04 iip block-number                                      next-pblock
type ActionResponse struct {
	Choice      byte
	InvokeID    InvokeIDAndPriority
	Results     []ActionOutcome
	Block       DataBlock
	BlockNumber uint32
	arena       []axdr.Value
}

// Append appends the encoded response to dst.
func (r *ActionResponse) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagActionResponse, r.Choice, byte(r.InvokeID))
	var err error
	switch r.Choice {
	case ActionResponseNormal:
		if len(r.Results) != 1 {
			return dst, fmt.Errorf("%w: action-response-normal with %d results", ErrEncode, len(r.Results))
		}
		return r.Results[0].append(dst)
	case ActionResponseWithPblock:
		return appendBlockSA(dst, r.Block), nil
	case ActionResponseWithList:
		dst = axdr.AppendLength(dst, len(r.Results))
		for _, o := range r.Results {
			if dst, err = o.append(dst); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case ActionResponseNextPblock:
		return appendU32(dst, r.BlockNumber), nil
	}
	return dst, fmt.Errorf("%w: action-response choice %d", ErrEncode, r.Choice)
}

// Decode replaces r with the response in b.
func (r *ActionResponse) Decode(b []byte) error {
	d := newDecoder(b, "ActionResponse")
	r.Choice = d.header(TagActionResponse)
	r.InvokeID = InvokeIDAndPriority(d.Uint8())
	r.Results, r.Block, r.BlockNumber, r.arena = r.Results[:0], DataBlock{}, 0, r.arena[:0]
	if err := d.check(""); err != nil {
		return err
	}
	// Return data spans are kept in the results' GetResult.data and
	// resolved once the arena has stopped growing.
	switch r.Choice {
	case ActionResponseNormal:
		r.Results = append(r.Results, d.actionOutcome(&r.arena))
		if err := d.check("result"); err != nil {
			return err
		}
	case ActionResponseWithPblock:
		r.Block = d.blockSA()
	case ActionResponseWithList:
		n := d.Count(2)
		for i := 0; i < n; i++ {
			r.Results = append(r.Results, d.actionOutcome(&r.arena))
			if err := d.check("result[%d]", i); err != nil {
				return err
			}
		}
	case ActionResponseNextPblock:
		r.BlockNumber = d.Uint32()
	default:
		d.badService(r.Choice)
	}
	for i := range r.Results {
		r.Results[i].Return.Data = r.Results[i].Return.data.of(r.arena)
	}
	return d.end()
}

func (r *ActionResponse) String() string {
	var n node
	switch r.Choice {
	case ActionResponseNormal, ActionResponseWithList:
		name := "action-response-normal"
		if r.Choice == ActionResponseWithList {
			name = "action-response-with-list"
		}
		n = leaf("%s %s", name, r.InvokeID)
		for i, o := range r.Results {
			k := leaf("result[%d]: %s", i, o.Result)
			if o.HasReturn {
				k.kids = append(k.kids, o.Return.node("return"))
			}
			n.kids = append(n.kids, k)
		}
	case ActionResponseWithPblock:
		n = leaf("action-response-with-pblock %s", r.InvokeID)
		n.kids = append(n.kids, blockNode("pblock", r.Block.Last, r.Block.Number, r.Block.Raw))
	case ActionResponseNextPblock:
		n = leaf("action-response-next-pblock %s block-number=%d", r.InvokeID, r.BlockNumber)
	default:
		n = leaf("action-response choice=%d", r.Choice)
	}
	return n.String()
}
