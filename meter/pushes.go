package meter

import (
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/push"
)

// triggerPush queues a push of setup i at meter time at.
func (m *Meter) triggerPush(i int, at time.Time, lastGasp bool) {
	s := &m.pushes[i].Setup
	opens := at
	if open, next := s.Open(m.clock.Wall(at)); !open {
		if next.IsZero() {
			return // no window ever opens
		}
		opens = m.clock.FromWall(next)
	}
	m.pushQ.Trigger(i, s, at, lastGasp, opens)
}

// outgoing is a push taken from the queue, to be encoded and sent once the
// meter's lock is released (encoding reads the object tree, which locks).
type outgoing struct {
	id       uint64
	setup    push.Setup
	invokeID uint32
	at       axdr.DateTime
}

// duePushes takes the pushes due from the queue and records those given
// up. Called with m.mu held.
func (m *Meter) duePushes() []outgoing {
	if m.pushQ.Len() == 0 {
		return nil
	}
	setups := make([]push.Setup, len(m.pushes))
	for i := range m.pushes {
		setups[i] = m.pushes[i].Setup
	}
	now := m.clock.Now(m.trueNow)
	due, failed := m.pushQ.Due(now, setups)
	for _, f := range failed {
		m.log.Info("push given up", "meter", m.cfg.Serial, "push", f.Setup, "attempts", f.Attempts, "err", f.Err)
		m.record(eventlog.PushFailed, now)
	}
	out := make([]outgoing, 0, len(due))
	for _, p := range due {
		if m.opts.Pusher == nil || m.reader == nil {
			m.pushQ.Report(p.ID, nil) // nowhere to send: done
			continue
		}
		m.invokeID++
		out = append(out, outgoing{id: p.ID, setup: setups[p.Setup], invokeID: m.invokeID, at: m.clock.DateTime(now)})
	}
	return out
}

// send encodes and sends pushes taken by duePushes; m.mu must not be held.
func (m *Meter) send(out []outgoing) {
	for _, o := range out {
		apdu, err := push.Encode(&o.setup, m.reader, o.invokeID, o.at)
		if err != nil {
			m.log.Warn("push not encoded", "meter", m.cfg.Serial, "push", o.setup.Name, "err", err)
			m.pushQ.Report(o.id, err)
			continue
		}
		id := o.id
		m.opts.Pusher.Push(o.setup.Destination, apdu, func(err error) { m.pushQ.Report(id, err) })
	}
}
