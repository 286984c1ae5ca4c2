package cosem

import (
	"fmt"
	"iter"
)

// Grants gives each client SAP its rights on one object; a client missing
// from the map does not see the object.
type Grants map[uint16]*Rights

// MemTree is a Tree held in memory: objects in the order they were added,
// each with its grants. Build it completely before serving; after that it
// is read-only and safe for concurrent use.
type MemTree struct {
	entries []memEntry
	index   map[OBIS]int
	clients map[uint16]bool
}

type memEntry struct {
	obj    Object
	grants Grants
}

// NewMemTree returns an empty tree.
func NewMemTree() *MemTree {
	return &MemTree{index: map[OBIS]int{}, clients: map[uint16]bool{}}
}

// Add adds o, visible to the clients of grants with their rights. Logical
// names are unique in a tree.
func (t *MemTree) Add(o Object, grants Grants) error {
	name := o.ID().Name
	if _, dup := t.index[name]; dup {
		return fmt.Errorf("cosem: tree already has an object %s", name)
	}
	t.index[name] = len(t.entries)
	t.entries = append(t.entries, memEntry{o, grants})
	for c := range grants {
		t.clients[c] = true
	}
	return nil
}

// View returns the view of client: the objects granted to it. A client
// granted nothing has no association.
func (t *MemTree) View(client uint16) (View, bool) {
	if !t.clients[client] {
		return nil, false
	}
	return memView{t, client}, true
}

type memView struct {
	t      *MemTree
	client uint16
}

func (v memView) Lookup(name OBIS) (Object, *Rights) {
	i, ok := v.t.index[name]
	if !ok {
		return nil, nil
	}
	e := v.t.entries[i]
	r := e.grants[v.client]
	if r == nil {
		return nil, nil
	}
	return e.obj, r
}

func (v memView) Objects() iter.Seq2[Object, *Rights] {
	return func(yield func(Object, *Rights) bool) {
		for _, e := range v.t.entries {
			if r := e.grants[v.client]; r != nil && !yield(e.obj, r) {
				return
			}
		}
	}
}
