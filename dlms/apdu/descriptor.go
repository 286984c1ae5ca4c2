package apdu

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

// SelectiveAccess is Selective-Access-Descriptor: access-selector Unsigned8
// and access-parameters Data (for profile generic, the range and entry
// descriptors of package cosem). Selector 0 means "no selective access" (the
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
