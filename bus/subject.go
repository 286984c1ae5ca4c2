package bus

import (
	"errors"
	"fmt"
	"strings"
)

// Streams, and the subjects each one captures (ARCHITECTURE §7, §10).
const (
	StreamReadings = "READINGS" // amigo.readings.<meter>: limits retention, every consumer sees every reading
	StreamEvents   = "EVENTS"   // amigo.events.<meter>: limits retention
	StreamCommands = "COMMANDS" // amigo.commands.<meter>: work queue, a command is gone once one consumer acks it
	StreamJobs     = "JOBS"     // amigo.jobs.<meter>: work queue, a job is gone once one consumer acks it
	StreamDead     = "DEAD"     // amigo.dead.<stream>.<consumer>: dead letters, limits retention
)

const (
	prefixReadings = "amigo.readings."
	prefixEvents   = "amigo.events."
	prefixCommands = "amigo.commands."
	prefixJobs     = "amigo.jobs."
	prefixDead     = "amigo.dead."
)

// ErrBadToken reports a subject token or key that is not what MeterToken
// produces.
var ErrBadToken = errors.New("bus: not a meter token")

// ReadingsSubject is the subject a meter's readings are published on.
func ReadingsSubject(meter string) string { return prefixReadings + MeterToken(meter) }

// EventsSubject is the subject a meter's events are published on.
func EventsSubject(meter string) string { return prefixEvents + MeterToken(meter) }

// CommandsSubject is the subject commands for a meter are published on.
func CommandsSubject(meter string) string { return prefixCommands + MeterToken(meter) }

// JobsSubject is the subject head-end jobs for a meter are published on.
func JobsSubject(meter string) string { return prefixJobs + MeterToken(meter) }

// Batch subjects carry meterdata batch messages (many meters' readings or
// events in one message, the push listener's way of paying the bus's
// per-message cost once for thousands of pushes). They have one token more
// than a meter's subject, so no meter token can be mistaken for one, and
// the READINGS and EVENTS streams capture them with the rest.
const batchToken = "batch."

// ReadingsBatchSubject is the subject batch readings messages from origin
// (a head-end node's name) are published on: amigo.readings.batch.<origin>.
func ReadingsBatchSubject(origin string) string {
	return prefixReadings + batchToken + MeterToken(origin)
}

// EventsBatchSubject is EventsSubject's batch form: amigo.events.batch.<origin>.
func EventsBatchSubject(origin string) string { return prefixEvents + batchToken + MeterToken(origin) }

// IsBatchSubject reports whether subject is a readings or events batch
// subject.
func IsBatchSubject(subject string) bool {
	return strings.HasPrefix(subject, prefixReadings+batchToken) || strings.HasPrefix(subject, prefixEvents+batchToken)
}

// DeadSubject is where consumer durable of stream puts the messages it gave
// up on.
func DeadSubject(stream, durable string) string { return prefixDead + stream + "." + durable }

// MeterFromSubject returns the meter a readings, events, commands or jobs
// subject names.
func MeterFromSubject(subject string) (string, error) {
	for _, p := range [...]string{prefixReadings, prefixEvents, prefixCommands, prefixJobs} {
		if tok, ok := strings.CutPrefix(subject, p); ok {
			meter, err := ParseMeterToken(tok)
			if err != nil {
				return "", fmt.Errorf("subject %q: %w", subject, err)
			}
			return meter, nil
		}
	}
	return "", fmt.Errorf("subject %q: %w: no amigo readings, events, commands or jobs prefix", subject, ErrBadToken)
}

// MeterToken turns any meter ID into one NATS subject token that is also a
// valid key-value key: the bytes A–Z, a–z, 0–9, '_' and '-' stay as they are
// and every other byte becomes '=' and two upper-case hex digits
// ("LGZ.1/2" → "LGZ=2E1=2F2"). Typical serial numbers therefore read
// unchanged on the wire, and the mapping is one-to-one. The empty ID gives
// the empty token, which no subject accepts.
func MeterToken(meter string) string {
	n := len(meter)
	for i := range len(meter) {
		if !plain(meter[i]) {
			n += 2
		}
	}
	if n == len(meter) {
		return meter
	}
	var b strings.Builder
	b.Grow(n)
	for i := range len(meter) {
		c := meter[i]
		if plain(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('=')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

// ParseMeterToken inverts MeterToken. It accepts only what MeterToken
// produces (upper-case hex, no escape of a byte that needs none), so every
// meter has exactly one token.
func ParseMeterToken(tok string) (string, error) {
	if tok == "" {
		return "", fmt.Errorf("%w: empty", ErrBadToken)
	}
	if !strings.Contains(tok, "=") {
		for i := range len(tok) {
			if !plain(tok[i]) {
				return "", fmt.Errorf("%w: byte %#02x at %d", ErrBadToken, tok[i], i)
			}
		}
		return tok, nil
	}
	b := make([]byte, 0, len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case plain(c):
			b = append(b, c)
		case c == '=' && i+2 < len(tok):
			hi, lo := unhex(tok[i+1]), unhex(tok[i+2])
			v := hi<<4 | lo
			if hi > 0x0f || lo > 0x0f || plain(byte(v)) {
				return "", fmt.Errorf("%w: escape %q at %d", ErrBadToken, tok[i:i+3], i)
			}
			b = append(b, byte(v))
			i += 2
		default:
			return "", fmt.Errorf("%w: byte %#02x at %d", ErrBadToken, c, i)
		}
	}
	return string(b), nil
}

const hexDigits = "0123456789ABCDEF"

// plain reports whether c stands for itself in a meter token.
func plain(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// unhex returns the value of an upper-case hex digit, or 0xff.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return 0xff
}
