package objects

import (
	"context"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// FuzzRequest feeds hostile values to every writable attribute and method
// of the tree (as the management client, authenticated) and hostile
// selective access to every readable attribute: objects must answer with
// an error or a well-formed value, never panic.
func FuzzRequest(f *testing.F) {
	for _, seed := range []struct {
		v    []byte
		obj  uint16
		id   int8
		kind uint8
	}{
		{axdr.AppendInt16(nil, -60), 2, 3, 0},                                                      // clock time zone
		{axdr.AppendInt8(nil, 0), 2, 1, 1},                                                         // adjust_to_quarter
		{[]byte{0x02, 0x02, 0x09, 0x03, 'a', 'b', 'c', 0x06, 0, 0, 0x10, 0}, 60, 1, 1},             // a structure
		{[]byte{0x01, 0x81, 0xFF}, 40, 9, 0},                                                       // hostile array count
		{[]byte{0x02, 0x04, 0x06, 0, 0, 0, 1, 0x06, 0, 0, 0, 0, 0x12, 0, 1, 0x12, 0, 0}, 45, 2, 2}, // entry selector
	} {
		f.Add(seed.v, seed.obj, seed.id, seed.kind)
	}
	fx := newFixtureFor(f)
	mgmt, _ := fx.tree.View(Management)
	var objs []cosem.Object
	for o := range mgmt.Objects() {
		objs = append(objs, o)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte, which uint16, id int8, kind uint8) {
		vals, err := axdr.Decode(nil, b)
		if err != nil {
			return
		}
		o := objs[int(which)%len(objs)]
		ref := cosem.Ref{Class: o.ID().Class, Name: o.ID().Name, ID: id}
		switch kind % 3 {
		case 0:
			_ = cosem.Set(ctx, mgmt, ref, vals, true)
		case 1:
			_, _ = cosem.Action(ctx, mgmt, nil, ref, vals, true)
		case 2:
			for _, sel := range []uint8{cosem.SelectorRange, cosem.SelectorEntry} {
				out, err := cosem.Get(ctx, mgmt, nil, ref, &cosem.Selector{ID: sel, Params: vals}, true)
				if err == nil {
					if _, derr := axdr.Decode(nil, out); derr != nil {
						t.Fatalf("%v/%d: answer does not decode: %v", ref.Name, id, derr)
					}
				}
			}
		}
	})
}
