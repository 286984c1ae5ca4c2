package eventlog

import (
	"fmt"

	"github.com/amigo-ami/amigo/meter/profile"
)

// Event is one recorded event.
type Event struct {
	Code Code
	At   profile.Stamp
}

// clockLN is the clock object whose time each log's first column captures.
var clockLN = [6]byte{0, 0, 1, 0, 0, 255}

// Book holds the meter's event logs.
type Book struct {
	logs [NumLogs]*profile.Profile
	last [NumLogs]Code
}

// New returns empty logs, each holding capacity[l] events (at least 1).
func New(capacity [NumLogs]int) (*Book, error) {
	b := &Book{}
	for l := range NumLogs {
		p, err := profile.New(profile.Config{
			Columns: []profile.Column{
				{Class: 8, Name: clockLN, Attr: 2, Kind: profile.KindDateTime},
				{Class: 1, Name: l.CodeObject(), Attr: 2, Kind: profile.KindUint16},
			},
			Capacity: capacity[l],
		})
		if err != nil {
			return nil, fmt.Errorf("eventlog: %s log: %w", l, err)
		}
		b.logs[l] = p
	}
	return b, nil
}

// Record appends e to the log of its code and returns that log.
func (b *Book) Record(e Event) Log {
	l := e.Code.Log()
	b.logs[l].Append([]int64{e.At.Pack(), int64(e.Code)})
	b.last[l] = e.Code
	return l
}

// Profile returns the buffer of log l.
func (b *Book) Profile(l Log) *profile.Profile { return b.logs[l] }

// Last returns the last code recorded in l (0 when none since start).
func (b *Book) Last(l Log) Code { return b.last[l] }

// Events returns the events of log l in capture order, oldest first.
func (b *Book) Events(l Log) []Event {
	p := b.logs[l]
	out := make([]Event, p.Len())
	var row []int64
	for i := range out {
		row = p.Row(i, row[:0])
		out[i] = Event{At: profile.Unpack(row[0]), Code: Code(row[1])}
	}
	return out
}

// SetLast restores the last code of each log after a restart.
func (b *Book) SetLast(last [NumLogs]Code) { b.last = last }

// LastCodes returns the last code of every log, for persistence.
func (b *Book) LastCodes() [NumLogs]Code { return b.last }
