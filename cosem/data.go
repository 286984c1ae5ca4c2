package cosem

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Data is an in-memory Data object (IC 1) holding one value of any type.
// Writes must keep the type of the value (a null value takes any type).
// It is safe for concurrent use.
type Data struct {
	name  OBIS
	mu    sync.RWMutex
	value []byte // A-XDR encoding
	tag   axdr.Tag
}

// NewData returns a Data object named name holding value (one Data tree).
func NewData(name OBIS, value ...axdr.Value) (*Data, error) {
	d := &Data{name: name}
	if len(value) == 0 {
		value = []axdr.Value{axdr.Null()}
	}
	if err := d.Store(value); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Data) ID() ObjectID { return ObjectID{Class: ClassData, Name: d.name} }

// Store replaces the value, whatever its type.
func (d *Data) Store(value []axdr.Value) error {
	enc, err := axdr.Append(nil, value)
	if err != nil {
		return fmt.Errorf("cosem: %s value: %w", d.name, err)
	}
	d.mu.Lock()
	d.value, d.tag = enc, value[0].Tag
	d.mu.Unlock()
	return nil
}

// Encoded returns a copy of the value's A-XDR encoding.
func (d *Data) Encoded() []byte {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return bytes.Clone(d.value)
}

func (d *Data) Get(_ context.Context, dst []byte, attr int8, _ *Selector) ([]byte, error) {
	if attr != 2 {
		return dst, ErrUndefined
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append(dst, d.value...), nil
}

func (d *Data) Set(_ context.Context, attr int8, value []axdr.Value) error {
	if attr != 2 {
		return ErrUndefined
	}
	if len(value) == 0 {
		return fmt.Errorf("%w: no value", ErrTypeUnmatched)
	}
	d.mu.RLock()
	tag := d.tag
	d.mu.RUnlock()
	if tag != axdr.TagNull && value[0].Tag != tag {
		return fmt.Errorf("%w: %s holds %s, not %s", ErrTypeUnmatched, d.name, tag, value[0].Tag)
	}
	return d.Store(value)
}

func (d *Data) Action(_ context.Context, dst []byte, _ int8, _ []axdr.Value) ([]byte, error) {
	return dst, ErrUndefined
}

// DataFunc is a read-only Data object whose value a function appends on
// each read: a live quantity, or a counter owned by someone else (the
// invocation counter the server keeps).
type DataFunc struct {
	Unimplemented
	name OBIS
	get  func(ctx context.Context, dst []byte) ([]byte, error)
}

// NewDataFunc returns a DataFunc named name.
func NewDataFunc(name OBIS, get func(ctx context.Context, dst []byte) ([]byte, error)) *DataFunc {
	return &DataFunc{name: name, get: get}
}

func (d *DataFunc) ID() ObjectID { return ObjectID{Class: ClassData, Name: d.name} }

func (d *DataFunc) Get(ctx context.Context, dst []byte, attr int8, _ *Selector) ([]byte, error) {
	if attr != 2 {
		return dst, ErrUndefined
	}
	out, err := d.get(ctx, dst)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// Register is an in-memory Register object (IC 3): a scalar value with its
// scaler and unit. Writes must keep the value's type; reset (method 1) sets
// it to zero. It is safe for concurrent use.
type Register struct {
	name   OBIS
	scaler ScalerUnit
	mu     sync.RWMutex
	value  axdr.Value
}

// NewRegister returns a register named name holding value (a scalar: an
// integer type for energies, as ARCHITECTURE §4 wants) in su.
func NewRegister(name OBIS, value axdr.Value, su ScalerUnit) (*Register, error) {
	if value.IsContainer() {
		return nil, fmt.Errorf("cosem: register %s: value must be a scalar, not %s", name, value.Tag)
	}
	value.Bytes = bytes.Clone(value.Bytes)
	return &Register{name: name, scaler: su, value: value}, nil
}

func (r *Register) ID() ObjectID { return ObjectID{Class: ClassRegister, Name: r.name} }

// ScalerUnit returns the register's scaler and unit.
func (r *Register) ScalerUnit() ScalerUnit { return r.scaler }

// Value returns the current value.
func (r *Register) Value() axdr.Value {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.value
}

// Store replaces the value; it must have the register's type.
func (r *Register) Store(v axdr.Value) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v.Tag != r.value.Tag {
		return fmt.Errorf("%w: register %s holds %s, not %s", ErrTypeUnmatched, r.name, r.value.Tag, v.Tag)
	}
	v.Bytes = bytes.Clone(v.Bytes)
	r.value = v
	return nil
}

func (r *Register) Get(_ context.Context, dst []byte, attr int8, _ *Selector) ([]byte, error) {
	switch attr {
	case 2:
		r.mu.RLock()
		v := [1]axdr.Value{r.value}
		r.mu.RUnlock()
		return axdr.Append(dst, v[:])
	case 3:
		return AppendScalerUnit(dst, r.scaler), nil
	}
	return dst, ErrUndefined
}

func (r *Register) Set(_ context.Context, attr int8, value []axdr.Value) error {
	switch attr {
	case 2:
		if len(value) != 1 {
			return fmt.Errorf("%w: register value must be a scalar", ErrTypeUnmatched)
		}
		return r.Store(value[0])
	case 3:
		return fmt.Errorf("%w: scaler_unit is fixed", ErrDenied)
	}
	return ErrUndefined
}

func (r *Register) Action(_ context.Context, dst []byte, method int8, _ []axdr.Value) ([]byte, error) {
	if method != 1 {
		return dst, ErrUndefined
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.value = zeroOf(r.value)
	return dst, nil
}

// zeroOf returns the zero of v's type.
func zeroOf(v axdr.Value) axdr.Value {
	switch {
	case v.IsInteger():
		return intOf(v.Tag, 0)
	case v.Tag == axdr.TagFloat32:
		return axdr.Float32(0)
	case v.Tag == axdr.TagFloat64:
		return axdr.Float64(0)
	}
	return axdr.Value{Tag: v.Tag, Bytes: make([]byte, len(v.Bytes)), N: v.N}
}
