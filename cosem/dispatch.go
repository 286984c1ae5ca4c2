package cosem

import (
	"context"
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Ref names an attribute or a method of an object as a request does:
// class id, logical name and attribute or method id.
type Ref struct {
	Class ClassID
	Name  OBIS
	ID    int8
}

func (r Ref) String() string { return fmt.Sprintf("%s/%d:%d", r.Name, r.Class, r.ID) }

// resolve finds the object a request names and checks its class.
func resolve(v View, r Ref) (Object, *Rights, *Class, error) {
	o, rights := v.Lookup(r.Name)
	if o == nil {
		return nil, nil, nil, fmt.Errorf("%w: %s", ErrUndefined, r.Name)
	}
	if id := o.ID(); id.Class != r.Class {
		return nil, nil, nil, fmt.Errorf("%w: %s is %s, not %s", ErrClassInconsistent, r.Name, id.Class, r.Class)
	}
	return o, rights, LookupClass(r.Class), nil
}

// Get serves a GET of attribute r in view v the way a server must: the
// object must be in the view with the class the request names, the
// attribute must exist in the class, and the association's rights must
// allow the read (only authenticated requests get the authenticated
// modes) with the selector. The logical name is answered here; the rest is
// the object's Get.
func Get(ctx context.Context, v View, dst []byte, r Ref, sel *Selector, authenticated bool) ([]byte, error) {
	o, rights, c, err := resolve(v, r)
	if err != nil {
		return dst, err
	}
	if c != nil && c.Attribute(r.ID) == nil {
		return dst, fmt.Errorf("%w: %s has no attribute %d", ErrUndefined, c.Name, r.ID)
	}
	var selID uint8
	if sel != nil {
		selID = sel.ID
	}
	if err := rights.CheckGet(r.ID, selID, authenticated); err != nil {
		return dst, fmt.Errorf("%s: %w", r, err)
	}
	if r.ID == 1 {
		return axdr.AppendOctetString(dst, r.Name[:]), nil
	}
	return o.Get(ctx, dst, r.ID, sel)
}

// Set serves a SET of attribute r, with the checks of Get. The logical
// name is never written.
func Set(ctx context.Context, v View, r Ref, value []axdr.Value, authenticated bool) error {
	o, rights, c, err := resolve(v, r)
	if err != nil {
		return err
	}
	if c != nil && c.Attribute(r.ID) == nil {
		return fmt.Errorf("%w: %s has no attribute %d", ErrUndefined, c.Name, r.ID)
	}
	if err := rights.CheckSet(r.ID, authenticated); err != nil {
		return fmt.Errorf("%s: %w", r, err)
	}
	if r.ID == 1 {
		return fmt.Errorf("%s: %w: the logical name is read-only", r, ErrDenied)
	}
	return o.Set(ctx, r.ID, value)
}

// Action serves an ACTION on method r, with the checks of Get.
func Action(ctx context.Context, v View, dst []byte, r Ref, params []axdr.Value, authenticated bool) ([]byte, error) {
	o, rights, c, err := resolve(v, r)
	if err != nil {
		return dst, err
	}
	if c != nil && c.Method(r.ID) == nil {
		return dst, fmt.Errorf("%w: %s has no method %d", ErrUndefined, c.Name, r.ID)
	}
	if err := rights.CheckAction(r.ID, authenticated); err != nil {
		return dst, fmt.Errorf("%s: %w", r, err)
	}
	return o.Action(ctx, dst, r.ID, params)
}
