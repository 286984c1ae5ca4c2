package dlms

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// InstanceID is the logical name (OBIS code) of a COSEM object, six bytes
// A.B.C.D.E.F. Parsing and printing OBIS notation is the cosem package's;
// here it is only carried.
type InstanceID [6]byte

func (id InstanceID) String() string {
	return fmt.Sprintf("%d.%d.%d.%d.%d.%d", id[0], id[1], id[2], id[3], id[4], id[5])
}

// AttributeDescriptor is Cosem-Attribute-Descriptor: class-id Unsigned16,
// instance-id octet-string(6), attribute-id Integer8.
type AttributeDescriptor struct {
	ClassID   uint16
	Instance  InstanceID
	Attribute int8
}

// MethodDescriptor is Cosem-Method-Descriptor: class-id, instance-id,
// method-id Integer8.
type MethodDescriptor struct {
	ClassID  uint16
	Instance InstanceID
	Method   int8
}

func (a AttributeDescriptor) String() string {
	return fmt.Sprintf("class=%d obis=%s attr=%d", a.ClassID, a.Instance, a.Attribute)
}

func (m MethodDescriptor) String() string {
	return fmt.Sprintf("class=%d obis=%s method=%d", m.ClassID, m.Instance, m.Method)
}

func (a AttributeDescriptor) append(dst []byte) []byte {
	dst = append(dst, byte(a.ClassID>>8), byte(a.ClassID))
	return append(append(dst, a.Instance[:]...), byte(a.Attribute))
}

func (m MethodDescriptor) append(dst []byte) []byte {
	return AttributeDescriptor{m.ClassID, m.Instance, m.Method}.append(dst)
}

func (d *decoder) attributeDescriptor() AttributeDescriptor {
	var a AttributeDescriptor
	a.ClassID = d.Uint16()
	copy(a.Instance[:], d.Bytes(6))
	a.Attribute = int8(d.Uint8())
	return a
}

func (d *decoder) methodDescriptor() MethodDescriptor {
	a := d.attributeDescriptor()
	return MethodDescriptor{a.ClassID, a.Instance, a.Attribute}
}

// Access selectors of profile generic (IC 7) buffer reads.
const (
	SelectorRange uint8 = 1 // range_descriptor
	SelectorEntry uint8 = 2 // entry_descriptor
)

// SelectiveAccess is Selective-Access-Descriptor: access-selector Unsigned8
// and access-parameters Data. Selector 0 means "no selective access" (the
// OPTIONAL field absent); selectors start at 1.
type SelectiveAccess struct {
	Selector uint8
	Params   []axdr.Value
}

// AttributeSelection is Cosem-Attribute-Descriptor-With-Selection, and the
// descriptor plus optional access selection of GET and SET normal.
type AttributeSelection struct {
	Attribute AttributeDescriptor
	Access    SelectiveAccess
	params    span
}

func (s AttributeSelection) append(dst []byte) ([]byte, error) {
	dst = s.Attribute.append(dst)
	if s.Access.Selector == 0 {
		return append(dst, 0), nil
	}
	dst = append(dst, 1, s.Access.Selector)
	return appendData(dst, s.Access.Params, "access-parameters")
}

func (d *decoder) attributeSelection(arena *[]axdr.Value) AttributeSelection {
	s := AttributeSelection{Attribute: d.attributeDescriptor()}
	if d.optional() {
		s.Access.Selector = d.Uint8()
		s.params = d.value(arena)
	}
	return s
}

// CaptureObject is a profile generic capture_object_definition: class_id,
// logical_name, attribute_index, data_index.
type CaptureObject struct {
	ClassID   uint16
	Instance  InstanceID
	Attribute int8
	DataIndex uint16
}

func (c CaptureObject) values() []axdr.Value {
	return []axdr.Value{axdr.Structure(4), axdr.Uint16(c.ClassID), axdr.OctetString(c.Instance[:]),
		axdr.Int8(c.Attribute), axdr.Uint16(c.DataIndex)}
}

// RangeDescriptor is the profile generic range_descriptor (selector 1):
// the entries whose restricting object lies in [From, To], limited to the
// Selected columns (all when empty). From and To are usually date-times as
// octet-string(12) (the clock's time attribute).
type RangeDescriptor struct {
	Restricting CaptureObject
	From, To    axdr.Value
	Selected    []CaptureObject
}

// Access returns the selective access descriptor for r.
func (r RangeDescriptor) Access() SelectiveAccess {
	p := []axdr.Value{axdr.Structure(4)}
	p = append(p, r.Restricting.values()...)
	p = append(p, r.From, r.To, axdr.Array(len(r.Selected)))
	for _, c := range r.Selected {
		p = append(p, c.values()...)
	}
	return SelectiveAccess{Selector: SelectorRange, Params: p}
}

// EntryDescriptor is the profile generic entry_descriptor (selector 2):
// entries FromEntry…ToEntry (1-based, ToEntry 0 = to the last) and columns
// FromValue…ToValue (ToValue 0 = to the last).
type EntryDescriptor struct {
	FromEntry, ToEntry uint32
	FromValue, ToValue uint16
}

// Access returns the selective access descriptor for e.
func (e EntryDescriptor) Access() SelectiveAccess {
	return SelectiveAccess{Selector: SelectorEntry, Params: []axdr.Value{axdr.Structure(4),
		axdr.Uint32(e.FromEntry), axdr.Uint32(e.ToEntry), axdr.Uint16(e.FromValue), axdr.Uint16(e.ToValue)}}
}

// ParseRangeDescriptor reads a range_descriptor from selective access
// parameters.
func ParseRangeDescriptor(sa SelectiveAccess) (RangeDescriptor, error) {
	var r RangeDescriptor
	p := sa.Params
	if sa.Selector != SelectorRange || len(p) == 0 || p[0].Tag != axdr.TagStructure || p[0].N != 4 {
		return r, fmt.Errorf("dlms: range_descriptor: want selector 1 with structure[4], have selector %d", sa.Selector)
	}
	i := 1
	var err error
	if r.Restricting, i, err = parseCaptureObject(p, i); err != nil {
		return r, fmt.Errorf("dlms: range_descriptor.restricting_object: %w", err)
	}
	if i+2 > len(p) || p[i].IsContainer() || p[i+1].IsContainer() {
		return r, fmt.Errorf("dlms: range_descriptor: from_value/to_value must be simple values")
	}
	r.From, r.To = p[i], p[i+1]
	i += 2
	if i >= len(p) || p[i].Tag != axdr.TagArray {
		return r, fmt.Errorf("dlms: range_descriptor.selected_values: not an array")
	}
	n := p[i].N
	i++
	for k := 0; k < n; k++ {
		var c CaptureObject
		if c, i, err = parseCaptureObject(p, i); err != nil {
			return r, fmt.Errorf("dlms: range_descriptor.selected_values[%d]: %w", k, err)
		}
		r.Selected = append(r.Selected, c)
	}
	if i != len(p) {
		return r, fmt.Errorf("dlms: range_descriptor: %w", ErrTrailing)
	}
	return r, nil
}

func parseCaptureObject(p []axdr.Value, i int) (CaptureObject, int, error) {
	var c CaptureObject
	if i+5 > len(p) || p[i].Tag != axdr.TagStructure || p[i].N != 4 ||
		p[i+1].Tag != axdr.TagUint16 || p[i+2].Tag != axdr.TagOctetString || len(p[i+2].Bytes) != 6 ||
		p[i+3].Tag != axdr.TagInt8 || p[i+4].Tag != axdr.TagUint16 {
		return c, i, fmt.Errorf("want structure{long-unsigned, octet-string(6), integer, long-unsigned}")
	}
	cls, _ := p[i+1].Uint()
	attr, _ := p[i+3].Int()
	idx, _ := p[i+4].Uint()
	c.ClassID, c.Attribute, c.DataIndex = uint16(cls), int8(attr), uint16(idx)
	copy(c.Instance[:], p[i+2].Bytes)
	return c, i + 5, nil
}

// ParseEntryDescriptor reads an entry_descriptor from selective access
// parameters.
func ParseEntryDescriptor(sa SelectiveAccess) (EntryDescriptor, error) {
	p := sa.Params
	if sa.Selector != SelectorEntry || len(p) != 5 || p[0].Tag != axdr.TagStructure || p[0].N != 4 ||
		p[1].Tag != axdr.TagUint32 || p[2].Tag != axdr.TagUint32 || p[3].Tag != axdr.TagUint16 || p[4].Tag != axdr.TagUint16 {
		return EntryDescriptor{}, fmt.Errorf("dlms: entry_descriptor: want selector 2 with structure{double-long-unsigned ×2, long-unsigned ×2}")
	}
	fe, _ := p[1].Uint()
	te, _ := p[2].Uint()
	fv, _ := p[3].Uint()
	tv, _ := p[4].Uint()
	return EntryDescriptor{uint32(fe), uint32(te), uint16(fv), uint16(tv)}, nil
}
