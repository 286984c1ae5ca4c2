package hestest

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Logical names of the objects a Meter adds to the cosemtest-like tree.
var (
	Clock15Profile    = cosem.OBIS{1, 0, 99, 1, 0, 255}
	EventLog          = cosem.OBIS{0, 0, 99, 98, 0, 255}
	EventCode         = cosem.OBIS{0, 0, 96, 11, 0, 255}
	DisconnectControl = cosem.OBIS{0, 0, 96, 3, 10, 255}
	Limiter           = cosem.OBIS{0, 0, 17, 0, 0, 255}
	PushSetup         = cosem.OBIS{0, 0, 25, 9, 0, 255}
	ImageTransfer     = cosem.OBIS{0, 0, 44, 0, 0, 255}
	FirmwareVersion   = cosem.OBIS{1, 1, 0, 2, 0, 255}
	Credit            = cosem.OBIS{0, 0, 19, 10, 0, 255}
	ActivityCalendar  = cosem.OBIS{0, 0, 13, 0, 0, 255}
)

// attrs is an object that stores whatever is written to its writable
// attributes (encoded) and answers methods through hooks: push setup,
// limiter and activity calendar need no more than that here.
type attrs struct {
	id      cosem.ObjectID
	mu      sync.Mutex
	values  map[int8][]byte
	methods map[int8]func(params []axdr.Value) error
}

func newAttrs(class cosem.ClassID, version uint8, name cosem.OBIS, initial map[int8][]byte) *attrs {
	a := &attrs{id: cosem.ObjectID{Class: class, Version: version, Name: name}, values: map[int8][]byte{}, methods: map[int8]func([]axdr.Value) error{}}
	for k, v := range initial {
		a.values[k] = v
	}
	return a
}

func (a *attrs) ID() cosem.ObjectID { return a.id }

func (a *attrs) Get(_ context.Context, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.values[attr]
	if !ok {
		return dst, cosem.ErrUnavailable
	}
	return append(dst, v...), nil
}

func (a *attrs) Set(_ context.Context, attr int8, value []axdr.Value) error {
	enc, err := axdr.Append(nil, value)
	if err != nil {
		return fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
	}
	a.mu.Lock()
	a.values[attr] = enc
	a.mu.Unlock()
	return nil
}

func (a *attrs) Action(_ context.Context, dst []byte, method int8, params []axdr.Value) ([]byte, error) {
	a.mu.Lock()
	h := a.methods[method]
	a.mu.Unlock()
	if h == nil {
		return dst, cosem.ErrUnavailable
	}
	return dst, h(params)
}

// Value returns the encoded value of attribute attr.
func (a *attrs) Value(attr int8) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return bytes.Clone(a.values[attr])
}

// disconnect is the disconnect control (IC 70) in control mode 1: remote
// disconnect and reconnect act at once.
type disconnect struct {
	cosem.Unimplemented
	mu        sync.Mutex
	connected bool
	onChange  func(connected bool)
}

// Disconnect control states (control_state).
const (
	StateDisconnected uint8 = 0
	StateConnected    uint8 = 1
)

func (d *disconnect) ID() cosem.ObjectID {
	return cosem.ObjectID{Class: cosem.ClassDisconnectControl, Name: DisconnectControl}
}

func (d *disconnect) Connected() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.connected
}

func (d *disconnect) Get(_ context.Context, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	c := d.Connected()
	switch attr {
	case 2:
		return axdr.AppendBool(dst, c), nil
	case 3:
		state := StateDisconnected
		if c {
			state = StateConnected
		}
		return axdr.AppendEnum(dst, state), nil
	case 4:
		return axdr.AppendEnum(dst, 1), nil
	}
	return dst, cosem.ErrUndefined
}

func (d *disconnect) Action(_ context.Context, dst []byte, method int8, _ []axdr.Value) ([]byte, error) {
	if method != 1 && method != 2 {
		return dst, cosem.ErrUndefined
	}
	d.mu.Lock()
	d.connected = method == 2
	on, c := d.onChange, d.connected
	d.mu.Unlock()
	if on != nil {
		on(c)
	}
	return dst, nil
}

// credit is a credit object (IC 112): current_credit_amount and
// update_amount.
type credit struct {
	cosem.Unimplemented
	mu     sync.Mutex
	amount int32
}

func (c *credit) ID() cosem.ObjectID { return cosem.ObjectID{Class: cosem.ClassCredit, Name: Credit} }

func (c *credit) Amount() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.amount
}

func (c *credit) Get(_ context.Context, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	if attr != 2 {
		return dst, cosem.ErrUnavailable
	}
	return axdr.AppendInt32(dst, c.Amount()), nil
}

func (c *credit) Action(_ context.Context, dst []byte, method int8, params []axdr.Value) ([]byte, error) {
	if method != 1 {
		return dst, cosem.ErrUnavailable
	}
	if len(params) != 1 || params[0].Tag != axdr.TagInt32 {
		return dst, fmt.Errorf("%w: update_amount takes a double-long", cosem.ErrTypeUnmatched)
	}
	v, _ := params[0].Int()
	c.mu.Lock()
	c.amount += int32(v)
	c.mu.Unlock()
	return dst, nil
}
