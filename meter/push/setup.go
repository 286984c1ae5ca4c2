package push

import (
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
)

// ErrInvalid is wrapped by configuration errors.
var ErrInvalid = errors.New("push: invalid")

// Object is one element of push_object_list: an attribute (and element,
// DataIndex ≥ 1, of a structured one) whose value the push carries.
type Object struct {
	Class     uint16
	Name      [6]byte
	Attr      int8
	DataIndex uint16
}

// Transport is send_destination_and_method.transport_service.
type Transport uint8

// Transports (Blue Book IC 40; amigo sends TCP with the IEC 62056-47
// wrapper).
const (
	TCP Transport = 0
	UDP Transport = 1
)

// Destination is send_destination_and_method.
type Destination struct {
	Transport Transport
	Address   string // host:port
	Message   uint8  // 0: A-XDR encoded xDLMS APDU
}

// Window is one communication window: pushes go only between an
// occurrence of Start and the next occurrence of End (date-time patterns
// in local time).
type Window struct {
	Start, End axdr.DateTime
}

// Setup is a push setup object.
type Setup struct {
	Name            [6]byte
	Objects         []Object
	Destination     Destination
	Windows         []Window
	Randomisation   time.Duration // randomisation_start_interval, whole seconds
	Retries         uint8         // number_of_retries
	RepetitionDelay time.Duration // repetition_delay, whole seconds
}

// Validate checks durations and windows.
func (s *Setup) Validate() error {
	if s.Randomisation < 0 || s.Randomisation > 65535*time.Second || s.RepetitionDelay < 0 || s.RepetitionDelay > 65535*time.Second {
		return fmt.Errorf("%w: %v: randomisation %v, repetition delay %v: want 0…65535 s", ErrInvalid, s.Name, s.Randomisation, s.RepetitionDelay)
	}
	for i, w := range s.Windows {
		for _, p := range []axdr.DateTime{w.Start, w.End} {
			if _, ok := calendar.TimeOfDay(p.Time); !ok {
				return fmt.Errorf("%w: %v: window %d: time %s", ErrInvalid, s.Name, i, p.Time)
			}
		}
	}
	return nil
}

// Open reports whether a push may start at local time w, and if not, when
// the next window opens (zero if never).
func (s *Setup) Open(w calendar.Wall) (bool, calendar.Wall) {
	if len(s.Windows) == 0 {
		return true, w
	}
	var next calendar.Wall
	for _, win := range s.Windows {
		start, okS := calendar.NextMatch(win.Start.Date, win.Start.Time, w)
		end, okE := calendar.NextMatch(win.End.Date, win.End.Time, w)
		// Inside a window: its end comes before its next start (or it
		// starts right now).
		if okE && (!okS || end.Before(start)) || calendar.MatchDate(win.Start.Date, w) && calendar.MatchTime(win.Start.Time, w) {
			return true, w
		}
		if okS && (next.IsZero() || start.Before(next)) {
			next = start
		}
	}
	return false, next
}
