package meter

import (
	"errors"
	"time"

	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/firmware"
)

// The management core's firmware upgrade (IC 18 image transfer into the
// active/passive slots). The metrology core is not part of it: its
// software identification is whatever the metrology core reports, before
// and after.

// FirmwareInitiate starts an image transfer (method image_transfer_initiate).
func (m *Meter) FirmwareInitiate(ident []byte, size uint32) error {
	m.mu.Lock()
	defer m.done()
	if err := m.transfer.Initiate(ident, size); err != nil {
		return err
	}
	m.record(eventlog.FirmwareTransferStarted, m.clock.Now(m.trueTime()))
	return nil
}

// FirmwareBlock stores one image block (method image_block_transfer).
func (m *Meter) FirmwareBlock(n uint32, b []byte) error {
	m.mu.Lock()
	defer m.done()
	return m.transfer.Block(n, b)
}

// FirmwareVerify verifies the transferred image (method image_verify):
// wrong signature, wrong target and incomplete or malformed images are
// refused and recorded.
func (m *Meter) FirmwareVerify() error {
	m.mu.Lock()
	defer m.done()
	now := m.clock.Now(m.trueTime())
	_, err := m.transfer.Verify(m.cfg.Firmware.PublicKey, m.cfg.Firmware.Target)
	if err != nil {
		if errors.Is(err, firmware.ErrVerify) {
			m.log.Warn("firmware image refused", "meter", m.cfg.Serial, "err", err)
			m.record(eventlog.FirmwareVerifyFailed, now)
		}
		return err
	}
	m.record(eventlog.FirmwareReady, now)
	return nil
}

// FirmwareActivate installs the verified image (method image_activate).
// It runs on trial until the self-test at the next step.
func (m *Meter) FirmwareActivate() error {
	m.mu.Lock()
	defer m.done()
	img, raw, err := m.transfer.Activate()
	if err != nil {
		return err
	}
	m.slots.Install(img, raw)
	m.selfTest = true
	m.record(eventlog.FirmwareActivated, m.clock.Now(m.trueTime()))
	return nil
}

// runSelfTest is the first start of a newly activated image: commit it,
// or roll back to the previous one.
func (m *Meter) runSelfTest(now time.Time) {
	m.selfTest = false
	var err error
	if m.opts.SelfTest != nil {
		var payload []byte
		if img, perr := firmware.Parse(m.slots.Active.Raw); perr == nil {
			payload = img.Payload
		}
		err = m.opts.SelfTest(m.slots.Active.Version, payload)
	}
	if err == nil {
		m.slots.Commit()
		m.record(eventlog.FirmwareCommitted, now)
		return
	}
	m.log.Warn("firmware self-test failed; rolling back", "meter", m.cfg.Serial, "version", m.slots.Active.Version, "err", err)
	if rerr := m.slots.Rollback(); rerr != nil {
		m.log.Error("firmware rollback impossible", "meter", m.cfg.Serial, "err", rerr)
		return
	}
	m.record(eventlog.FirmwareRolledBack, now)
}

// FirmwareTransfer calls fn with the image transfer under the meter's
// lock (to read its attributes; fn must not call the meter).
func (m *Meter) FirmwareTransfer(fn func(*firmware.Transfer)) {
	m.mu.Lock()
	defer m.done()
	fn(m.transfer)
}

// Firmware returns the management core's image slots (without the image
// bytes): the active version and hash are its firmware identification and
// signature.
func (m *Meter) Firmware() firmware.Slots {
	m.mu.Lock()
	defer m.done()
	s := m.slots
	s.Active.Raw, s.Passive.Raw = nil, nil
	return s
}
