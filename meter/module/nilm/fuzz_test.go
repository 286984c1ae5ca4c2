package nilm_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
	nilmcore "github.com/amigo-ami/amigo/nilm"
)

// FuzzRequest feeds hostile values to every method and writable
// attribute of the module's objects (as the management client,
// authenticated) and hostile selective access to every attribute: the
// objects answer with an error or a well-formed value, never panic, and
// nothing but a library that verifies ever becomes active.
func FuzzRequest(f *testing.F) {
	for _, seed := range []struct {
		v    []byte
		obj  uint16
		id   int8
		kind uint8
	}{
		{[]byte{0x02, 0x02, 0x09, 0x04, 'n', 'i', 'l', 'm', 0x06, 0, 0, 0x01, 0}, 4, 1, 1}, // image_transfer_initiate
		{[]byte{0x02, 0x02, 0x06, 0, 0, 0, 0, 0x09, 0x03, 'A', 'M', 'N'}, 4, 2, 1},         // a short block
		{axdr.AppendInt8(nil, 0), 4, 3, 1},                                                 // image_verify
		{axdr.AppendBool(nil, false), 4, 5, 0},                                             // image_transfer_enabled
		{[]byte{0x02, 0x04, 0x06, 0, 0, 0, 1, 0x06, 0, 0, 0, 0, 0x12, 0, 1, 0x12, 0, 0}, 0, 2, 2},
	} {
		f.Add(seed.v, seed.obj, seed.id, seed.kind)
	}
	key, err := nilmcore.NewSigningKeyPair(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	r := newRig(f, make([]float64, 2*160), [3]bool{true}, nilm.Config{PublicKey: &key.PublicKey,
		Push: push.Setup{Destination: push.Destination{Address: "hes:4060"}}})
	mgmt, _ := r.tree.View(objects.Management)
	var objs []cosem.Object
	for _, e := range r.mod.Objects() {
		objs = append(objs, e.Object)
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
			for _, sel := range []*cosem.Selector{nil, {ID: cosem.SelectorRange, Params: vals}, {ID: cosem.SelectorEntry, Params: vals}} {
				out, err := cosem.Get(ctx, mgmt, nil, ref, sel, true)
				if err == nil {
					if _, derr := axdr.Decode(nil, out); derr != nil {
						t.Fatalf("%v/%d: answer does not decode: %v", ref.Name, id, derr)
					}
				}
			}
		}
		if r.mod.Library().Installed {
			t.Fatal("a library nobody signed became active")
		}
	})
}
