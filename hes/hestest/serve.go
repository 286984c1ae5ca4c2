package hestest

import (
	"context"
	"net"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// Event codes the test meter records in its standard event log.
const (
	EventDisconnected uint16 = 70
	EventReconnected  uint16 = 71
)

// lazyProfile captures the rows that have fallen due before it answers.
type lazyProfile struct {
	*cosem.ProfileGeneric
	m *Meter
}

func (p lazyProfile) Get(ctx context.Context, dst []byte, attr int8, sel *cosem.Selector) ([]byte, error) {
	p.m.catchUp()
	return p.ProfileGeneric.Get(ctx, dst, attr, sel)
}

// catchUp captures every profile row due by now and sets the registers to
// the last one.
func (m *Meter) catchUp() {
	now := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	due := int(now.Sub(m.cfg.ProfileStart)/ProfilePeriod) + 1
	if now.Before(m.cfg.ProfileStart) {
		due = 0
	}
	// A meter far behind keeps only what its buffer holds.
	if due-m.captured > m.cfg.Rows {
		m.captured = due - m.cfg.Rows
	}
	for ; m.captured < due; m.captured++ {
		k := m.captured
		at := m.cfg.ProfileStart.Add(time.Duration(k) * ProfilePeriod)
		m.profile.Capture(axdr.OctetString(axdr.FromTime(at).Append(nil)), axdr.Uint32(ProfileImport(k)), axdr.Uint32(ProfileExport(k)))
	}
	if m.captured > 0 {
		m.imp.Store(axdr.Uint32(ProfileImport(m.captured - 1)))
		m.exp.Store(axdr.Uint32(ProfileExport(m.captured - 1)))
	}
}

// RecordEvent adds an entry to the standard event log at the meter's time.
func (m *Meter) RecordEvent(code uint16) {
	m.events.Capture(axdr.OctetString(axdr.FromTime(m.clock.Now()).Append(nil)), axdr.Uint16(code))
}

// ServeConn serves one connection (the meter's end of it) until it closes
// or ctx ends.
func (m *Meter) ServeConn(ctx context.Context, nc net.Conn) error {
	t, err := wrapper.NewServer(nc, wrapper.Config{})
	if err != nil {
		nc.Close()
		return err
	}
	return m.server.ServeConn(ctx, t)
}

// Serve accepts TCP connections at Addr until ctx ends.
func (m *Meter) Serve(ctx context.Context) error { return m.server.Serve(ctx) }

// Addr is the loopback address the meter listens on (for Serve).
func (m *Meter) Addr() string { return m.server.Addr().String() }

// Close frees the meter's listening port.
func (m *Meter) Close() error { return m.server.Close() }

// Serial returns the meter's serial number.
func (m *Meter) Serial() string { return m.cfg.Serial }

// SystemTitle returns the meter's server system title.
func (m *Meter) SystemTitle() [8]byte { return m.title }

// Stats returns the DLMS server's counts.
func (m *Meter) Stats() dlms.ServerStats { return m.server.Stats() }

// Connected reports the disconnect control's state.
func (m *Meter) Connected() bool { return m.disc.Connected() }

// CreditAmount returns the credit's current_credit_amount.
func (m *Meter) CreditAmount() int32 { return m.credit.Amount() }

// Firmware returns the active management core firmware version.
func (m *Meter) Firmware() string { return m.image.Version() }

// ImageBlocks returns the image blocks received so far.
func (m *Meter) ImageBlocks() int {
	m.image.mu.Lock()
	defer m.image.mu.Unlock()
	return m.image.blocks
}

// FailImageVerify makes image_verify fail (a corrupt flash, a bad
// signature).
func (m *Meter) FailImageVerify(fail bool) {
	m.image.mu.Lock()
	m.image.failVerify = fail
	m.image.mu.Unlock()
}

// Key returns the meter's current key id.
func (m *Meter) Key(id cosem.KeyID) []byte {
	k, _ := m.keys.Key(id)
	return k
}

// ClockTime returns the meter's clock.
func (m *Meter) ClockTime() time.Time { return m.clock.Now() }

// PushSetup returns the encoded attribute attr of the push setup.
func (m *Meter) PushSetup(attr int8) []byte { return m.push.Value(attr) }

// LimiterThreshold returns the limiter's threshold_normal (attribute 4),
// encoded.
func (m *Meter) LimiterThreshold() []byte { return m.limiter.Value(4) }

// Calendar returns the encoded attribute attr of the activity calendar.
func (m *Meter) Calendar(attr int8) []byte { return m.calendar.Value(attr) }

// Rows returns the profile rows captured so far.
func (m *Meter) Rows() int {
	m.catchUp()
	return m.profile.Entries()
}
