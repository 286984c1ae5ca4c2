package objects

import (
	"context"
	"fmt"
	"iter"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/clock"
	"github.com/amigo-ami/amigo/meter/push"
)

// Client SAPs of ARCHITECTURE §4.
const (
	Public     uint16 = 16 // no security: clock, names, invocation counter, association view
	Reader     uint16 = 32 // LLS: reads every meter object
	Management uint16 = 1  // HLS-GMAC: reads, writes and invokes
)

// handler implements one kind of object over a meter. Handlers are
// shared by every meter of a schema and hold no per-meter state.
type handler interface {
	class() (cosem.ClassID, uint8)
	get(b *Tree, dst []byte, attr int8, sel *cosem.Selector) ([]byte, error)
}

// setter is a handler with writable attributes.
type setter interface {
	writable() []int8
	set(b *Tree, attr int8, v []axdr.Value) error
}

// actor is a handler with methods.
type actor interface {
	methods() []int8
	act(b *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error)
}

// descriptor is one object of a schema: its name, its handler and each
// client's rights (nil: the client does not see it). A nil handler stands
// for the tree's own security setup.
type descriptor struct {
	name   cosem.OBIS
	h      handler
	rights map[uint16]*cosem.Rights
}

// Schema is the object list of a meter configuration: which objects, with
// which handlers and rights. Meters of the same configuration shape (the
// simulator's fleet) share one Schema; it is read-only once built.
type Schema struct {
	objs  []descriptor
	index map[cosem.OBIS]int
}

// Config is what a tree needs beyond its meter.
type Config struct {
	// ClientTitle and ServerTitle are the management client's and the
	// meter's system titles, shown by the security setup.
	ClientTitle, ServerTitle []byte
	// Keys back the security setup (key_transfer); nil keeps none.
	Keys cosem.KeyStore
	// InvocationCounter reads 0.0.43.1.0.255: the last invocation
	// counter the server accepted from the management client.
	InvocationCounter func() uint32
}

// Tree is one meter's object tree: a cosem.Tree for the DLMS server and a
// push.Reader for the meter's pushes. It is safe for concurrent use.
type Tree struct {
	s        *Schema
	m        *meter.Meter
	cfg      Config
	security *cosem.SecuritySetup

	mu     sync.Mutex // guards the state objects keep between calls
	preset clock.Preset
	token  tokenState

	// Objects of expansion modules (Add), after the schema's.
	extras     []extra
	extraIndex map[cosem.OBIS]int
}

// Extra is an object an expansion module (meter/module/...) adds to a
// meter's tree: the clients of its access level see it, with the rights
// the tree gives its own objects of the object's class.
type Extra struct {
	Object   cosem.Object
	Access   Access
	Writable []int8 // attributes the management client may write
	Methods  []int8 // methods the management client may invoke
}

type extra struct {
	obj    cosem.Object
	rights map[uint16]*cosem.Rights
}

// Add adds a module's objects to the tree, after its own. Call it before
// the tree is served. A logical name the tree already has refuses the
// whole call.
func (t *Tree) Add(objs ...Extra) error {
	seen := map[cosem.OBIS]bool{}
	for _, e := range objs {
		name := e.Object.ID().Name
		_, inSchema := t.s.index[name]
		_, inExtras := t.extraIndex[name]
		if inSchema || inExtras || seen[name] {
			return fmt.Errorf("objects: %v added twice", name)
		}
		seen[name] = true
	}
	if t.extraIndex == nil {
		t.extraIndex = map[cosem.OBIS]int{}
	}
	b := &builder{rights: map[string]*cosem.Rights{}}
	for _, e := range objs {
		id := e.Object.ID()
		t.extraIndex[id.Name] = len(t.extras)
		t.extras = append(t.extras, extra{e.Object, b.grants(id.Class, e.Writable, e.Methods, e.Access)})
	}
	return nil
}

// New builds the tree of m over schema s (NewSchema(m.Config())) and makes
// it the reader of m's pushes.
func New(s *Schema, m *meter.Meter, cfg Config) *Tree {
	keys := cfg.Keys
	if keys == nil {
		keys = cosem.NewMemKeys(nil)
	}
	t := &Tree{s: s, m: m, cfg: cfg,
		security: cosem.NewSecuritySetup(SecuritySetupLN, cosem.PolicyAuthenticatedEncrypted, 0, cfg.ClientTitle, cfg.ServerTitle, keys)}
	m.SetPushReader(t)
	return t
}

// Meter returns the tree's meter.
func (t *Tree) Meter() *meter.Meter { return t.m }

// View returns the view of client.
func (t *Tree) View(client uint16) (cosem.View, bool) {
	switch client {
	case Public, Reader, Management:
		return view{t, client}, true
	}
	return nil, false
}

type view struct {
	t      *Tree
	client uint16
}

func (v view) Lookup(name cosem.OBIS) (cosem.Object, *cosem.Rights) {
	i, ok := v.t.s.index[name]
	if !ok {
		if i, ok := v.t.extraIndex[name]; ok {
			e := &v.t.extras[i]
			if r := e.rights[v.client]; r != nil {
				return e.obj, r
			}
		}
		return nil, nil
	}
	d := &v.t.s.objs[i]
	r := d.rights[v.client]
	if r == nil {
		return nil, nil
	}
	return v.t.bind(d), r
}

// bind returns the cosem.Object of descriptor d in this tree.
func (t *Tree) bind(d *descriptor) cosem.Object {
	if d.h == nil {
		return t.security
	}
	return object{d, t}
}

func (v view) Objects() iter.Seq2[cosem.Object, *cosem.Rights] {
	return func(yield func(cosem.Object, *cosem.Rights) bool) {
		for i := range v.t.s.objs {
			d := &v.t.s.objs[i]
			if r := d.rights[v.client]; r != nil && !yield(v.t.bind(d), r) {
				return
			}
		}
		for _, e := range v.t.extras {
			if r := e.rights[v.client]; r != nil && !yield(e.obj, r) {
				return
			}
		}
	}
}

// object binds a descriptor to a tree: the cosem.Object the server calls.
type object struct {
	d *descriptor
	t *Tree
}

func (o object) ID() cosem.ObjectID {
	c, v := o.d.h.class()
	return cosem.ObjectID{Class: c, Version: v, Name: o.d.name}
}

func (o object) Get(_ context.Context, dst []byte, attr int8, sel *cosem.Selector) ([]byte, error) {
	out, err := o.d.h.get(o.t, dst, attr, sel)
	if err != nil {
		return dst, fmt.Errorf("%v attribute %d: %w", o.d.name, attr, err)
	}
	return out, nil
}

func (o object) Set(_ context.Context, attr int8, v []axdr.Value) error {
	s, ok := o.d.h.(setter)
	if !ok {
		return fmt.Errorf("%v attribute %d: %w", o.d.name, attr, cosem.ErrDenied)
	}
	if err := s.set(o.t, attr, v); err != nil {
		return fmt.Errorf("%v attribute %d: %w", o.d.name, attr, err)
	}
	return nil
}

func (o object) Action(_ context.Context, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	a, ok := o.d.h.(actor)
	if !ok {
		return dst, fmt.Errorf("%v method %d: %w", o.d.name, method, cosem.ErrDenied)
	}
	out, err := a.act(o.t, dst, method, p)
	if err != nil {
		return dst, fmt.Errorf("%v method %d: %w", o.d.name, method, err)
	}
	return out, nil
}

// AppendAttribute encodes an attribute for a push (push.Reader): the
// meter reads its own objects with every right.
func (t *Tree) AppendAttribute(dst []byte, o push.Object) ([]byte, error) {
	v, _ := t.View(Management)
	obj, _ := v.Lookup(cosem.OBIS(o.Name))
	if obj == nil {
		return dst, fmt.Errorf("%w: %v", cosem.ErrUndefined, cosem.OBIS(o.Name))
	}
	if id := obj.ID(); id.Class != cosem.ClassID(o.Class) {
		return dst, fmt.Errorf("%w: %v is class %d", cosem.ErrClassInconsistent, cosem.OBIS(o.Name), id.Class)
	}
	if o.Attr == 1 {
		return axdr.AppendOctetString(dst, o.Name[:]), nil
	}
	return obj.Get(context.Background(), dst, o.Attr, nil)
}
