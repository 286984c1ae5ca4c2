package supply

import (
	"errors"
	"fmt"
)

// ErrNotAllowed is returned for a trigger the control mode does not allow.
var ErrNotAllowed = errors.New("supply: transition not allowed in this control mode")

// State is control_state.
type State uint8

// Control states.
const (
	Disconnected         State = 0
	Connected            State = 1
	ReadyForReconnection State = 2
)

func (s State) String() string {
	switch s {
	case Disconnected:
		return "disconnected"
	case Connected:
		return "connected"
	case ReadyForReconnection:
		return "ready_for_reconnection"
	}
	return fmt.Sprintf("state-%d", uint8(s))
}

// Mode is control_mode, 0…6.
type Mode uint8

// Trigger is what asks for a transition.
type Trigger uint8

// Triggers.
const (
	RemoteDisconnect Trigger = iota + 1 // method remote_disconnect
	RemoteReconnect                     // method remote_reconnect
	ManualDisconnect                    // the customer's button, while connected
	ManualReconnect                     // the customer's button, while ready
	LocalDisconnect                     // limiter, prepayment, supervision
	LocalReconnect                      // limiter or credit back (modes 5, 6)
)

func (t Trigger) String() string {
	switch t {
	case RemoteDisconnect:
		return "remote_disconnect"
	case RemoteReconnect:
		return "remote_reconnect"
	case ManualDisconnect:
		return "manual_disconnect"
	case ManualReconnect:
		return "manual_reconnect"
	case LocalDisconnect:
		return "local_disconnect"
	case LocalReconnect:
		return "local_reconnect"
	}
	return fmt.Sprintf("trigger-%d", uint8(t))
}

// Disconnector is a disconnect control object's state machine; make one
// with New.
type Disconnector struct {
	mode  Mode
	state State
}

// New returns a disconnector in mode, connected.
func New(mode Mode) (*Disconnector, error) {
	d := &Disconnector{state: Connected}
	return d, d.SetMode(mode)
}

// Mode returns control_mode.
func (d *Disconnector) Mode() Mode { return d.mode }

// State returns control_state.
func (d *Disconnector) State() State { return d.state }

// Output returns output_state: true while the supply is connected.
func (d *Disconnector) Output() bool { return d.state == Connected }

// SetMode writes control_mode. Mode 0 connects the output.
func (d *Disconnector) SetMode(m Mode) error {
	if m > 6 {
		return fmt.Errorf("%w: control mode %d: want 0…6", ErrNotAllowed, m)
	}
	d.mode = m
	if m == 0 {
		d.state = Connected
	}
	return nil
}

// Restore sets mode and state read back from persistence.
func (d *Disconnector) Restore(m Mode, s State) error {
	if err := d.SetMode(m); err != nil {
		return err
	}
	if s > ReadyForReconnection {
		return fmt.Errorf("%w: control state %d", ErrNotAllowed, s)
	}
	if m != 0 {
		d.state = s
	}
	return nil
}

// allowed lists, per trigger, the modes that allow it.
var allowed = map[Trigger][]Mode{
	RemoteDisconnect: {1, 2, 3, 4, 5, 6},
	RemoteReconnect:  {1, 2, 3, 4, 5, 6},
	ManualDisconnect: {1, 2, 5},
	ManualReconnect:  {1, 2, 3, 4, 5, 6},
	LocalDisconnect:  {1, 2, 3, 4, 5, 6},
	LocalReconnect:   {5, 6},
}

// Apply performs trigger t and reports whether the state changed.
func (d *Disconnector) Apply(t Trigger) (bool, error) {
	modes, ok := allowed[t]
	if !ok {
		return false, fmt.Errorf("%w: trigger %d", ErrNotAllowed, t)
	}
	permitted := false
	for _, m := range modes {
		permitted = permitted || m == d.mode
	}
	if !permitted {
		return false, fmt.Errorf("%w: %s in mode %d", ErrNotAllowed, t, d.mode)
	}
	next := d.state
	switch t {
	case RemoteDisconnect:
		next = Disconnected // b from connected, c from ready
	case RemoteReconnect:
		if d.state == Disconnected {
			next = ReadyForReconnection // d
			if d.mode == 2 || d.mode == 4 {
				next = Connected // a
			}
		}
	case ManualDisconnect, LocalDisconnect:
		if d.state == Connected {
			next = ReadyForReconnection // f, g
		}
	case ManualReconnect, LocalReconnect:
		if d.state == ReadyForReconnection {
			next = Connected // e, h
		}
	}
	changed := next != d.state
	d.state = next
	return changed, nil
}
