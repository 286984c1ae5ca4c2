package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Meter is one registered meter as the head-end uses it.
type Meter struct {
	ID       store.MeterID
	Serial   string
	Address  Address
	KeysRef  string
	Group    string
	TariffID int64
	Firmware string
}

// Keys is the material of a key set. The slices are the caller's.
type Keys struct {
	EK, AK   []byte // global unicast encryption key, authentication key
	KEK      []byte // master key
	Password []byte // LLS password
}

// Index is the registry in memory, loaded from store/meta.
type Index struct {
	db      *meta.DB
	state   atomic.Pointer[indexState]
	writeMu sync.Mutex // serialises replace

	keyMu sync.Mutex
	keys  map[string]Keys // by key set; cleared by Reload
}

type indexState struct {
	all      []*Meter
	byID     map[store.MeterID]*Meter
	bySerial map[string]*Meter
	byTitle  map[[8]byte]*Meter
	groups   map[string][]*Meter
}

// Open loads the registry from db.
func Open(ctx context.Context, db *meta.DB) (*Index, error) {
	x := &Index{db: db, keys: map[string]Keys{}}
	if err := x.Reload(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// DB returns the metadata store the index reads.
func (x *Index) DB() *meta.DB { return x.db }

// Reload reads every meter again (after an import, or another node's key
// rotation) and forgets cached keys.
func (x *Index) Reload(ctx context.Context) error {
	st := &indexState{byID: map[store.MeterID]*Meter{}, bySerial: map[string]*Meter{}, byTitle: map[[8]byte]*Meter{}, groups: map[string][]*Meter{}}
	var after store.MeterID
	for {
		page, err := x.db.Meters(ctx, meta.MeterFilter{AfterID: after, Limit: 5000})
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		for _, mm := range page {
			a, err := ParseAddress(mm.Address)
			if err != nil {
				return fmt.Errorf("registry: meter %s: %w", mm.Serial, err)
			}
			if a.SystemTitle == ([8]byte{}) {
				a.SystemTitle = DefaultSystemTitle(mm.Serial)
			}
			m := &Meter{ID: mm.ID, Serial: mm.Serial, Address: a, KeysRef: mm.KeysRef, Group: mm.Group, TariffID: mm.TariffID, Firmware: mm.Firmware}
			st.all = append(st.all, m)
			st.byID[m.ID], st.bySerial[m.Serial] = m, m
			if other, dup := st.byTitle[a.SystemTitle]; dup {
				return fmt.Errorf("registry: meters %s and %s share system title %X", other.Serial, m.Serial, a.SystemTitle)
			}
			st.byTitle[a.SystemTitle] = m
			st.groups[m.Group] = append(st.groups[m.Group], m)
		}
		if len(page) < 5000 {
			break
		}
		after = page[len(page)-1].ID
	}
	x.state.Store(st)
	x.keyMu.Lock()
	clear(x.keys)
	x.keyMu.Unlock()
	return nil
}

// ErrUnknownMeter is returned for a meter the registry does not hold.
var ErrUnknownMeter = errors.New("registry: unknown meter")

// Meter returns the meter with id.
func (x *Index) Meter(id store.MeterID) (Meter, bool) {
	m, ok := x.state.Load().byID[id]
	if !ok {
		return Meter{}, false
	}
	return *m, true
}

// BySerial returns the meter with serial.
func (x *Index) BySerial(serial string) (Meter, bool) {
	m, ok := x.state.Load().bySerial[serial]
	if !ok {
		return Meter{}, false
	}
	return *m, true
}

// ByTitle returns the meter whose server system title is title.
func (x *Index) ByTitle(title [8]byte) (Meter, bool) {
	m, ok := x.state.Load().byTitle[title]
	if !ok {
		return Meter{}, false
	}
	return *m, true
}

// Group returns the meters of group, by id.
func (x *Index) Group(group string) []Meter {
	return copyMeters(x.state.Load().groups[group])
}

// All returns every meter, by id.
func (x *Index) All() []Meter { return copyMeters(x.state.Load().all) }

// Len returns the number of meters.
func (x *Index) Len() int { return len(x.state.Load().all) }

func copyMeters(ms []*Meter) []Meter {
	out := make([]Meter, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}

// Keys returns the material of key set ref (cached until Reload or
// SaveKeys). A kind the set lacks is nil.
func (x *Index) Keys(ctx context.Context, ref string) (Keys, error) {
	x.keyMu.Lock()
	k, ok := x.keys[ref]
	x.keyMu.Unlock()
	if ok {
		return k.clone(), nil
	}
	for _, p := range []struct {
		kind string
		dst  *[]byte
	}{{meta.KeyEncryption, &k.EK}, {meta.KeyAuthentication, &k.AK}, {meta.KeyMaster, &k.KEK}, {meta.KeyLLSPassword, &k.Password}} {
		s, err := x.db.Key(ctx, ref, p.kind)
		switch {
		case errors.Is(err, meta.ErrNotFound):
		case err != nil:
			return Keys{}, fmt.Errorf("registry: %w", err)
		default:
			*p.dst = s.Bytes()
		}
	}
	x.keyMu.Lock()
	x.keys[ref] = k.clone()
	x.keyMu.Unlock()
	return k, nil
}

// SaveKeys stores k as key set ref (the kinds k holds) as actor.
func (x *Index) SaveKeys(ctx context.Context, actor, ref string, k Keys) error {
	for _, p := range []struct {
		kind string
		b    []byte
	}{{meta.KeyEncryption, k.EK}, {meta.KeyAuthentication, k.AK}, {meta.KeyMaster, k.KEK}, {meta.KeyLLSPassword, k.Password}} {
		if p.b == nil {
			continue
		}
		if err := x.db.SetKey(ctx, actor, ref, p.kind, meta.NewSecret(p.b)); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
	}
	x.keyMu.Lock()
	delete(x.keys, ref)
	x.keyMu.Unlock()
	return nil
}

// Update rewrites meter m's key set, tariff, firmware or address in the
// store and the index.
func (x *Index) Update(ctx context.Context, m Meter) error {
	old, err := x.db.Meter(ctx, m.ID)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	old.Serial, old.Address, old.KeysRef, old.Group, old.TariffID, old.Firmware = m.Serial, m.Address.String(), m.KeysRef, m.Group, m.TariffID, m.Firmware
	if err := x.db.UpdateMeter(ctx, old); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	return x.replace(m)
}

// replace swaps one meter in the index (copy on write: readers keep the
// state they loaded).
func (x *Index) replace(m Meter) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	old := x.state.Load()
	prev, ok := old.byID[m.ID]
	if !ok {
		return fmt.Errorf("registry: meter %d: %w", m.ID, ErrUnknownMeter)
	}
	if prev.Address.SystemTitle != m.Address.SystemTitle || prev.Serial != m.Serial || prev.Group != m.Group {
		return fmt.Errorf("registry: meter %s: serial, group and system title change only through an import", prev.Serial)
	}
	st := &indexState{all: make([]*Meter, len(old.all)), byID: maps.Clone(old.byID), bySerial: maps.Clone(old.bySerial),
		byTitle: maps.Clone(old.byTitle), groups: maps.Clone(old.groups)}
	nm := m
	for i, p := range old.all {
		if p.ID == m.ID {
			st.all[i] = &nm
		} else {
			st.all[i] = p
		}
	}
	st.byID[m.ID], st.bySerial[m.Serial], st.byTitle[m.Address.SystemTitle] = &nm, &nm, &nm
	g := slices.Clone(old.groups[m.Group])
	for i, p := range g {
		if p.ID == m.ID {
			g[i] = &nm
		}
	}
	st.groups[m.Group] = g
	x.state.Store(st)
	return nil
}

func (k Keys) clone() Keys {
	return Keys{EK: bytes.Clone(k.EK), AK: bytes.Clone(k.AK), KEK: bytes.Clone(k.KEK), Password: bytes.Clone(k.Password)}
}
