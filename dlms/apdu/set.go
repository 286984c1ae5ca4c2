package apdu

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Choices of Set-Request.
const (
	SetNormal                 byte = 1
	SetWithFirstDatablock     byte = 2
	SetWithDatablock          byte = 3
	SetWithList               byte = 4
	SetWithListFirstDatablock byte = 5
)

// Choices of Set-Response.
const (
	SetResponseNormal                byte = 1
	SetResponseDatablock             byte = 2
	SetResponseLastDatablock         byte = 3
	SetResponseLastDatablockWithList byte = 4
	SetResponseWithList              byte = 5
)

// SetRequest is the Set-Request APDU (tag 0xC1):
//
//	C1 01 iip descriptor 00|01[access] Data                          normal
//	C1 02 iip descriptor 00|01[access] last block-number raw-data    with-first-datablock
//	C1 03 iip last block-number raw-data                             with-datablock
//	C1 04 iip count {descriptor access} count {Data}                 with-list
//	C1 05 iip count {descriptor access} last block-number raw-data   with-list-and-first-datablock
//
// A DataBlock-SA carries the A-XDR encoding of the value(s), split into
// blocks; Block.Err is unused.
type SetRequest struct {
	Choice     byte
	InvokeID   InvokeIDAndPriority
	Attributes []AttributeSelection
	Values     [][]axdr.Value // one for normal, one per attribute for with-list
	Block      DataBlock
	spans      []span
	arena      []axdr.Value
}

func appendBlockSA(dst []byte, b DataBlock) []byte {
	dst = appendU32(append(dst, boolByte(b.Last)), b.Number)
	return append(axdr.AppendLength(dst, len(b.Raw)), b.Raw...)
}

func (d *decoder) blockSA() DataBlock {
	var b DataBlock
	b.Last = d.boolean()
	b.Number = d.Uint32()
	b.Raw = d.octetString()
	return b
}

// Append appends the encoded request to dst.
func (r *SetRequest) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagSetRequest, r.Choice, byte(r.InvokeID))
	var err error
	switch r.Choice {
	case SetNormal, SetWithFirstDatablock:
		if len(r.Attributes) != 1 {
			return dst, fmt.Errorf("%w: set-request choice %d with %d attributes", ErrEncode, r.Choice, len(r.Attributes))
		}
		if dst, err = r.Attributes[0].append(dst); err != nil {
			return dst, err
		}
		if r.Choice == SetWithFirstDatablock {
			return appendBlockSA(dst, r.Block), nil
		}
		if len(r.Values) != 1 {
			return dst, fmt.Errorf("%w: set-request-normal with %d values", ErrEncode, len(r.Values))
		}
		return appendData(dst, r.Values[0], "value")
	case SetWithDatablock:
		return appendBlockSA(dst, r.Block), nil
	case SetWithList, SetWithListFirstDatablock:
		dst = axdr.AppendLength(dst, len(r.Attributes))
		for _, a := range r.Attributes {
			if dst, err = a.append(dst); err != nil {
				return dst, err
			}
		}
		if r.Choice == SetWithListFirstDatablock {
			return appendBlockSA(dst, r.Block), nil
		}
		dst = axdr.AppendLength(dst, len(r.Values))
		for i, v := range r.Values {
			if dst, err = appendData(dst, v, fmt.Sprintf("value[%d]", i)); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: set-request choice %d", ErrEncode, r.Choice)
}

// Decode replaces r with the request in b.
func (r *SetRequest) Decode(b []byte) error {
	d := newDecoder(b, "SetRequest")
	r.Choice = d.header(TagSetRequest)
	r.InvokeID = InvokeIDAndPriority(d.Uint8())
	r.Attributes, r.Values, r.Block, r.spans, r.arena = r.Attributes[:0], r.Values[:0], DataBlock{}, r.spans[:0], r.arena[:0]
	if err := d.check(""); err != nil {
		return err
	}
	switch r.Choice {
	case SetNormal, SetWithFirstDatablock:
		r.Attributes = append(r.Attributes, d.attributeSelection(&r.arena))
		if err := d.check("attribute"); err != nil {
			return err
		}
		if r.Choice == SetNormal {
			r.spans = append(r.spans, d.value(&r.arena))
			if err := d.check("value"); err != nil {
				return err
			}
		} else {
			r.Block = d.blockSA()
		}
	case SetWithDatablock:
		r.Block = d.blockSA()
	case SetWithList, SetWithListFirstDatablock:
		n := d.Count(10)
		for i := 0; i < n; i++ {
			r.Attributes = append(r.Attributes, d.attributeSelection(&r.arena))
			if err := d.check("attributes[%d]", i); err != nil {
				return err
			}
		}
		if r.Choice == SetWithListFirstDatablock {
			r.Block = d.blockSA()
			break
		}
		n = d.Count(1)
		for i := 0; i < n; i++ {
			r.spans = append(r.spans, d.value(&r.arena))
			if err := d.check("values[%d]", i); err != nil {
				return err
			}
		}
	default:
		d.badService(r.Choice)
	}
	if err := d.check("datablock"); err != nil {
		return err
	}
	for i := range r.Attributes {
		r.Attributes[i].Access.Params = r.Attributes[i].params.of(r.arena)
	}
	for _, s := range r.spans {
		r.Values = append(r.Values, s.of(r.arena))
	}
	return d.end()
}

func (r *SetRequest) String() string {
	names := map[byte]string{SetNormal: "set-request-normal", SetWithFirstDatablock: "set-request-with-first-datablock",
		SetWithDatablock: "set-request-with-datablock", SetWithList: "set-request-with-list",
		SetWithListFirstDatablock: "set-request-with-list-and-first-datablock"}
	name, ok := names[r.Choice]
	if !ok {
		return leaf("set-request choice=%d", r.Choice).String()
	}
	n := leaf("%s %s", name, r.InvokeID)
	for i, a := range r.Attributes {
		n.kids = append(n.kids, selectionNode(fmt.Sprintf("attribute[%d]", i), a))
	}
	for i, v := range r.Values {
		n.kids = append(n.kids, dataNode(fmt.Sprintf("value[%d]", i), v))
	}
	if r.Choice != SetNormal && r.Choice != SetWithList {
		n.kids = append(n.kids, blockNode("block", r.Block.Last, r.Block.Number, r.Block.Raw))
	}
	return n.String()
}

// SetResponse is the Set-Response APDU (tag 0xC5):
//
//	C5 01 iip result                              normal
//	C5 02 iip block-number                        datablock (ack of a block)
//	C5 03 iip result block-number                 last-datablock
//	C5 04 iip count {result} block-number         last-datablock-with-list
//	C5 05 iip count {result}                      with-list
type SetResponse struct {
	Choice      byte
	InvokeID    InvokeIDAndPriority
	Results     []DataAccessResult
	BlockNumber uint32
}

// Append appends the encoded response to dst.
func (r *SetResponse) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagSetResponse, r.Choice, byte(r.InvokeID))
	switch r.Choice {
	case SetResponseNormal, SetResponseLastDatablock:
		if len(r.Results) != 1 {
			return dst, fmt.Errorf("%w: set-response choice %d with %d results", ErrEncode, r.Choice, len(r.Results))
		}
		dst = append(dst, byte(r.Results[0]))
		if r.Choice == SetResponseLastDatablock {
			dst = appendU32(dst, r.BlockNumber)
		}
		return dst, nil
	case SetResponseDatablock:
		return appendU32(dst, r.BlockNumber), nil
	case SetResponseLastDatablockWithList, SetResponseWithList:
		dst = axdr.AppendLength(dst, len(r.Results))
		for _, res := range r.Results {
			dst = append(dst, byte(res))
		}
		if r.Choice == SetResponseLastDatablockWithList {
			dst = appendU32(dst, r.BlockNumber)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: set-response choice %d", ErrEncode, r.Choice)
}

// Decode replaces r with the response in b.
func (r *SetResponse) Decode(b []byte) error {
	d := newDecoder(b, "SetResponse")
	r.Choice = d.header(TagSetResponse)
	r.InvokeID = InvokeIDAndPriority(d.Uint8())
	r.Results, r.BlockNumber = r.Results[:0], 0
	switch r.Choice {
	case SetResponseNormal, SetResponseLastDatablock:
		r.Results = append(r.Results, DataAccessResult(d.Uint8()))
		if r.Choice == SetResponseLastDatablock {
			r.BlockNumber = d.Uint32()
		}
	case SetResponseDatablock:
		r.BlockNumber = d.Uint32()
	case SetResponseLastDatablockWithList, SetResponseWithList:
		n := d.Count(1)
		for i := 0; i < n; i++ {
			r.Results = append(r.Results, DataAccessResult(d.Uint8()))
		}
		if r.Choice == SetResponseLastDatablockWithList {
			r.BlockNumber = d.Uint32()
		}
	default:
		if d.Err() == nil {
			d.badService(r.Choice)
		}
	}
	if err := d.check("result"); err != nil {
		return err
	}
	return d.end()
}

func (r *SetResponse) String() string {
	names := map[byte]string{SetResponseNormal: "set-response-normal", SetResponseDatablock: "set-response-datablock",
		SetResponseLastDatablock: "set-response-last-datablock", SetResponseLastDatablockWithList: "set-response-last-datablock-with-list",
		SetResponseWithList: "set-response-with-list"}
	name, ok := names[r.Choice]
	if !ok {
		return leaf("set-response choice=%d", r.Choice).String()
	}
	n := leaf("%s %s", name, r.InvokeID)
	for i, res := range r.Results {
		n.kids = append(n.kids, leaf("result[%d]: %s", i, res))
	}
	if r.Choice != SetResponseNormal && r.Choice != SetResponseWithList {
		n.kids = append(n.kids, leaf("block-number=%d", r.BlockNumber))
	}
	return n.String()
}
