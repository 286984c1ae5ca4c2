package apdu

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Choices of Get-Request and Get-Response.
const (
	GetNormal        byte = 1 // get-request-normal / get-response-normal
	GetNext          byte = 2 // get-request-next / get-response-with-datablock
	GetWithList      byte = 3 // get-request-with-list / get-response-with-list
	GetWithDatablock      = GetNext
)

// GetRequest is the Get-Request APDU (tag 0xC0):
//
//	C0 01 iip class(2) instance(6) attr(1) 00|01 [selector Data]        normal
//	C0 02 iip block-number(4)                                          next
//	C0 03 iip count { class instance attr 00|01 [selector Data] } ...   with-list
type GetRequest struct {
	Choice   byte // GetNormal, GetNext, GetWithList
	InvokeID InvokeIDAndPriority
	// Attributes holds one selection for normal, several for with-list.
	Attributes []AttributeSelection
	// BlockNumber is the block acknowledged by get-request-next.
	BlockNumber uint32
	arena       []axdr.Value
}

// Append appends the encoded request to dst.
func (r *GetRequest) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagGetRequest, r.Choice, byte(r.InvokeID))
	var err error
	switch r.Choice {
	case GetNormal:
		if len(r.Attributes) != 1 {
			return dst, fmt.Errorf("%w: get-request-normal with %d attributes", ErrEncode, len(r.Attributes))
		}
		return r.Attributes[0].append(dst)
	case GetNext:
		return appendU32(dst, r.BlockNumber), nil
	case GetWithList:
		dst = axdr.AppendLength(dst, len(r.Attributes))
		for _, a := range r.Attributes {
			if dst, err = a.append(dst); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: get-request choice %d", ErrEncode, r.Choice)
}

// Decode replaces r with the request in b.
func (r *GetRequest) Decode(b []byte) error {
	d := newDecoder(b, "GetRequest")
	r.Choice = d.header(TagGetRequest)
	r.InvokeID = InvokeIDAndPriority(d.Uint8())
	r.Attributes, r.BlockNumber, r.arena = r.Attributes[:0], 0, r.arena[:0]
	if err := d.check(""); err != nil {
		return err
	}
	switch r.Choice {
	case GetNormal:
		r.Attributes = append(r.Attributes, d.attributeSelection(&r.arena))
		if err := d.check("attribute"); err != nil {
			return err
		}
	case GetNext:
		r.BlockNumber = d.Uint32()
	case GetWithList:
		n := d.Count(10)
		for i := 0; i < n; i++ {
			r.Attributes = append(r.Attributes, d.attributeSelection(&r.arena))
			if err := d.check("attributes[%d]", i); err != nil {
				return err
			}
		}
	default:
		d.badService(r.Choice)
	}
	for i := range r.Attributes {
		r.Attributes[i].Access.Params = r.Attributes[i].params.of(r.arena)
	}
	return d.end()
}

func (r *GetRequest) String() string {
	var n node
	switch r.Choice {
	case GetNormal:
		n = leaf("get-request-normal %s", r.InvokeID)
	case GetNext:
		return leaf("get-request-next %s block-number=%d", r.InvokeID, r.BlockNumber).String()
	case GetWithList:
		n = leaf("get-request-with-list %s", r.InvokeID)
	default:
		return leaf("get-request choice=%d", r.Choice).String()
	}
	for i, a := range r.Attributes {
		n.kids = append(n.kids, selectionNode(fmt.Sprintf("attribute[%d]", i), a))
	}
	return n.String()
}

// GetResult is Get-Data-Result: either Data (Err == Success) or a
// data-access-result.
type GetResult struct {
	Data []axdr.Value
	Err  DataAccessResult
	data span
}

func (g GetResult) append(dst []byte) ([]byte, error) {
	if g.Err != Success {
		return append(dst, 1, byte(g.Err)), nil
	}
	return appendData(append(dst, 0), g.Data, "data")
}

func (d *decoder) getResult(arena *[]axdr.Value) GetResult {
	var g GetResult
	switch c := d.Uint8(); c {
	case 0:
		g.data = d.value(arena)
	case 1:
		g.Err = DataAccessResult(d.Uint8())
		if g.Err == Success && d.Err() == nil {
			d.Fail(fmt.Errorf("%w: data-access-result success in place of data", ErrBadChoice))
		}
	default:
		d.badChoice(c)
	}
	return g
}

func (g GetResult) node(label string) node {
	if g.Err != Success {
		return leaf("%s: %s", label, g.Err)
	}
	return dataNode(label, g.Data)
}

// GetResponse is the Get-Response APDU (tag 0xC4):
//
//	C4 01 iip 00 Data | 01 result                                       normal
//	C4 02 iip last(1) block-number(4) 00 raw-data(octet-string) | 01 result   with-datablock
//	C4 03 iip count { 00 Data | 01 result } ...                         with-list
//
// Decoding reuses the Results slice and the values arena inside r, so a
// GetResponse kept and reused decodes without allocating.
type GetResponse struct {
	Choice   byte // GetNormal, GetWithDatablock, GetWithList
	InvokeID InvokeIDAndPriority
	// Results holds one result for normal, several for with-list.
	Results []GetResult
	// Block is the data block of get-response-with-datablock.
	Block DataBlock
	arena []axdr.Value
}

// DataBlock is DataBlock-G: a block of the encoded result of a long GET,
// or the data-access-result that ended it.
type DataBlock struct {
	Last   bool
	Number uint32
	Raw    []byte
	Err    DataAccessResult
}

// Append appends the encoded response to dst.
func (r *GetResponse) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagGetResponse, r.Choice, byte(r.InvokeID))
	var err error
	switch r.Choice {
	case GetNormal:
		if len(r.Results) != 1 {
			return dst, fmt.Errorf("%w: get-response-normal with %d results", ErrEncode, len(r.Results))
		}
		return r.Results[0].append(dst)
	case GetWithDatablock:
		dst = appendU32(append(dst, boolByte(r.Block.Last)), r.Block.Number)
		if r.Block.Err != Success {
			return append(dst, 1, byte(r.Block.Err)), nil
		}
		return append(axdr.AppendLength(append(dst, 0), len(r.Block.Raw)), r.Block.Raw...), nil
	case GetWithList:
		dst = axdr.AppendLength(dst, len(r.Results))
		for _, g := range r.Results {
			if dst, err = g.append(dst); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: get-response choice %d", ErrEncode, r.Choice)
}

// Decode replaces r with the response in b. Data views alias b.
func (r *GetResponse) Decode(b []byte) error {
	d := newDecoder(b, "GetResponse")
	r.Choice = d.header(TagGetResponse)
	r.InvokeID = InvokeIDAndPriority(d.Uint8())
	r.Results, r.Block, r.arena = r.Results[:0], DataBlock{}, r.arena[:0]
	if err := d.check(""); err != nil {
		return err
	}
	switch r.Choice {
	case GetNormal:
		r.Results = append(r.Results, d.getResult(&r.arena))
		if err := d.check("result"); err != nil {
			return err
		}
	case GetWithDatablock:
		r.Block.Last = d.boolean()
		r.Block.Number = d.Uint32()
		switch c := d.Uint8(); c {
		case 0:
			r.Block.Raw = d.octetString()
		case 1:
			r.Block.Err = DataAccessResult(d.Uint8())
		default:
			d.badChoice(c)
		}
		if err := d.check("result"); err != nil {
			return err
		}
	case GetWithList:
		n := d.Count(2)
		for i := 0; i < n; i++ {
			r.Results = append(r.Results, d.getResult(&r.arena))
			if err := d.check("result[%d]", i); err != nil {
				return err
			}
		}
	default:
		d.badService(r.Choice)
	}
	for i := range r.Results {
		r.Results[i].Data = r.Results[i].data.of(r.arena)
	}
	return d.end()
}

func (r *GetResponse) String() string {
	var n node
	switch r.Choice {
	case GetNormal:
		n = leaf("get-response-normal %s", r.InvokeID)
		if len(r.Results) == 1 {
			n.kids = append(n.kids, r.Results[0].node("data"))
		}
	case GetWithDatablock:
		n = leaf("get-response-with-datablock %s", r.InvokeID)
		if r.Block.Err != Success {
			n.kids = append(n.kids, leaf("block last=%t number=%d: %s", r.Block.Last, r.Block.Number, r.Block.Err))
		} else {
			n.kids = append(n.kids, blockNode("block", r.Block.Last, r.Block.Number, r.Block.Raw))
		}
	case GetWithList:
		n = leaf("get-response-with-list %s", r.InvokeID)
		for i, g := range r.Results {
			n.kids = append(n.kids, g.node(fmt.Sprintf("result[%d]", i)))
		}
	default:
		n = leaf("get-response choice=%d", r.Choice)
	}
	return n.String()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// boolean consumes an A-XDR BOOLEAN (any non-zero byte is true).
func (d *decoder) boolean() bool { return d.Uint8() != 0 }
