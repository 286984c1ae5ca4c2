package cosem

import (
	"fmt"
	"math/bits"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// AttributeAccess is attribute_access_mode of Association LN version 1
// (Blue Book §4.4.3): what one association may do with one attribute. The
// authenticated modes allow the access only in requests that are
// cryptographically authenticated (ciphered with authentication).
type AttributeAccess uint8

const (
	NoAccess      AttributeAccess = 0
	Read          AttributeAccess = 1
	Write         AttributeAccess = 2
	ReadWrite     AttributeAccess = 3
	AuthRead      AttributeAccess = 4
	AuthWrite     AttributeAccess = 5
	AuthReadWrite AttributeAccess = 6
)

// CanRead reports whether the mode allows a read, in a request that is or
// is not authenticated.
func (a AttributeAccess) CanRead(authenticated bool) bool {
	switch a {
	case Read, ReadWrite:
		return true
	case AuthRead, AuthReadWrite:
		return authenticated
	}
	return false
}

// CanWrite reports whether the mode allows a write.
func (a AttributeAccess) CanWrite(authenticated bool) bool {
	switch a {
	case Write, ReadWrite:
		return true
	case AuthWrite, AuthReadWrite:
		return authenticated
	}
	return false
}

func (a AttributeAccess) String() string {
	switch a {
	case NoAccess:
		return "no-access"
	case Read:
		return "read-only"
	case Write:
		return "write-only"
	case ReadWrite:
		return "read-and-write"
	case AuthRead:
		return "authenticated-read-only"
	case AuthWrite:
		return "authenticated-write-only"
	case AuthReadWrite:
		return "authenticated-read-and-write"
	}
	return fmt.Sprintf("access-mode-%d", uint8(a))
}

// MethodAccess is method_access_mode of Association LN version 1.
type MethodAccess uint8

const (
	MethodNoAccess   MethodAccess = 0
	MethodAccessible MethodAccess = 1
	MethodAuthAccess MethodAccess = 2 // only in authenticated requests
)

// CanInvoke reports whether the mode allows an invocation.
func (m MethodAccess) CanInvoke(authenticated bool) bool {
	return m == MethodAccessible || (m == MethodAuthAccess && authenticated)
}

func (m MethodAccess) String() string {
	switch m {
	case MethodNoAccess:
		return "no-access"
	case MethodAccessible:
		return "access"
	case MethodAuthAccess:
		return "authenticated-access"
	}
	return fmt.Sprintf("method-access-%d", uint8(m))
}

// AttributeRight is one association's right on one attribute.
type AttributeRight struct {
	Access AttributeAccess
	// Selectors is the set of access selectors the association may use,
	// bit s for selector s; a GET with another selector is refused with
	// scope-of-access-violated.
	Selectors uint32
}

// Rights are one association's access rights on one object: the
// access_rights of its object_list element. Attributes[i] and Methods[i]
// are for id i+1; ids beyond the slices have no access. A *Rights is
// meant to be shared by every object of a kind (a server with thousands of
// registers has a handful of distinct Rights), so it is read-only once in
// use.
type Rights struct {
	Attributes []AttributeRight
	Methods    []MethodAccess
}

// Attribute returns the right on attribute id.
func (r *Rights) Attribute(id int8) AttributeRight {
	if r == nil || id < 1 || int(id) > len(r.Attributes) {
		return AttributeRight{}
	}
	return r.Attributes[id-1]
}

// Method returns the right on method id.
func (r *Rights) Method(id int8) MethodAccess {
	if r == nil || id < 1 || int(id) > len(r.Methods) {
		return MethodNoAccess
	}
	return r.Methods[id-1]
}

// NewRights returns rights on every attribute and method of class c: attr
// on attributes (with the selectors each supports, when readable) and m on
// methods. The logical name is never writable.
func NewRights(c *Class, attr AttributeAccess, m MethodAccess) *Rights {
	r := &Rights{Attributes: make([]AttributeRight, len(c.Attributes)), Methods: make([]MethodAccess, len(c.Methods))}
	for i, a := range c.Attributes {
		r.Attributes[i].Access = attr
		if i == 0 {
			r.Attributes[i].Access = readPart(attr)
		}
		if r.Attributes[i].Access.CanRead(true) {
			r.Attributes[i].Selectors = a.Selectors
		}
	}
	for i := range r.Methods {
		r.Methods[i] = m
	}
	return r
}

// readPart drops the write half of an access mode.
func readPart(a AttributeAccess) AttributeAccess {
	switch a {
	case Read, ReadWrite:
		return Read
	case AuthRead, AuthReadWrite:
		return AuthRead
	}
	return NoAccess
}

// ReadOnly returns rights to read every attribute of c and invoke no
// method.
func ReadOnly(c *Class) *Rights { return NewRights(c, Read, MethodNoAccess) }

// FullAccess returns rights to read and write every attribute of c (but the
// logical name) and invoke every method.
func FullAccess(c *Class) *Rights { return NewRights(c, ReadWrite, MethodAccessible) }

// CheckGet reports whether a GET of attribute attr with access selector sel
// (0 for none) is allowed: nil, ErrDenied or ErrScopeOfAccess.
func (r *Rights) CheckGet(attr int8, sel uint8, authenticated bool) error {
	a := r.Attribute(attr)
	if !a.Access.CanRead(authenticated) {
		return fmt.Errorf("%w: attribute %d is %s", ErrDenied, attr, a.Access)
	}
	if sel != 0 && (sel > 31 || a.Selectors&(1<<sel) == 0) {
		return fmt.Errorf("%w: attribute %d, selector %d", ErrScopeOfAccess, attr, sel)
	}
	return nil
}

// CheckSet reports whether a SET of attribute attr is allowed.
func (r *Rights) CheckSet(attr int8, authenticated bool) error {
	if a := r.Attribute(attr); !a.Access.CanWrite(authenticated) {
		return fmt.Errorf("%w: attribute %d is %s", ErrDenied, attr, a.Access)
	}
	return nil
}

// CheckAction reports whether invoking method is allowed.
func (r *Rights) CheckAction(method int8, authenticated bool) error {
	if m := r.Method(method); !m.CanInvoke(authenticated) {
		return fmt.Errorf("%w: method %d is %s", ErrDenied, method, m)
	}
	return nil
}

// AppendAccessRights appends r as the access_rights of an object_list
// element for an object of class id (Association LN version 1):
//
//	structure {
//	  attribute_access: array of structure {attribute_id integer,
//	                      access_mode enum, access_selectors CHOICE {null-data, array of integer}},
//	  method_access:    array of structure {method_id integer, access_mode enum}
//	}
//
// Every attribute and method of the class is listed, those without a right
// as no-access; for a class the catalogue does not know, those r has.
func AppendAccessRights(dst []byte, id ClassID, r *Rights) []byte {
	nattr, nmeth := 0, 0
	if r != nil {
		nattr, nmeth = len(r.Attributes), len(r.Methods)
	}
	if c := LookupClass(id); c != nil {
		nattr, nmeth = len(c.Attributes), len(c.Methods)
	}
	dst = axdr.AppendStructure(dst, 2)
	dst = axdr.AppendArray(dst, nattr)
	for i := 1; i <= nattr; i++ {
		a := r.Attribute(int8(i))
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendInt8(dst, int8(i))
		dst = axdr.AppendEnum(dst, uint8(a.Access))
		if a.Selectors == 0 {
			dst = axdr.AppendNull(dst)
			continue
		}
		dst = axdr.AppendArray(dst, bits.OnesCount32(a.Selectors))
		for s := 1; s < 32; s++ {
			if a.Selectors&(1<<s) != 0 {
				dst = axdr.AppendInt8(dst, int8(s))
			}
		}
	}
	dst = axdr.AppendArray(dst, nmeth)
	for i := 1; i <= nmeth; i++ {
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendInt8(dst, int8(i))
		dst = axdr.AppendEnum(dst, uint8(r.Method(int8(i))))
	}
	return dst
}
