package nilm

import (
	"fmt"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
)

// pushObjects is the push setup's push_object_list: the push setup's own
// logical name (which tells a head-end how the body is laid out, as its
// push listener expects), the logical device name, the clock's time and
// the last appliance event.
var pushObjects = []push.Object{
	{Class: uint16(cosem.ClassPushSetup), Name: PushSetupLN, Attr: 1},
	{Class: uint16(cosem.ClassData), Name: objects.LogicalDeviceNameLN, Attr: 2},
	{Class: uint16(cosem.ClassClock), Name: cosem.ClockTime.Name, Attr: 2},
	{Class: uint16(cosem.ClassData), Name: LastEventLN, Attr: 2},
}

// pusher pushes every appliance event as a Data-Notification encoded when
// the event happens, so each push carries its own event however late it
// goes, and the queue retries it as the push setup says.
type pusher struct {
	setups []push.Setup // the one push setup, as push.Queue wants them
	out    push.Pusher

	mu       sync.Mutex // guards the queue's pending pushes and apdus (done callbacks come from any goroutine)
	queue    *push.Queue
	apdus    map[uint64][]byte
	invokeID uint32
}

func newPusher(s push.Setup, out push.Pusher, seed uint64) *pusher {
	s.Name, s.Objects = PushSetupLN, pushObjects
	return &pusher{setups: []push.Setup{s}, out: out, queue: push.NewQueue(seed), apdus: map[uint64][]byte{}}
}

// snapshot answers the push objects from one event.
type snapshot struct {
	ldn   string
	stamp axdr.DateTime
	e     *Event
}

func (s snapshot) AppendAttribute(dst []byte, o push.Object) ([]byte, error) {
	switch o.Name {
	case PushSetupLN:
		return axdr.AppendOctetString(dst, o.Name[:]), nil
	case objects.LogicalDeviceNameLN:
		return axdr.AppendOctetString(dst, []byte(s.ldn)), nil
	case cosem.ClockTime.Name:
		return axdr.AppendOctetString(dst, s.stamp.Append(nil)), nil
	case LastEventLN:
		return appendEvent(dst, s.e), nil
	}
	return dst, fmt.Errorf("%w: %v", cosem.ErrUndefined, cosem.OBIS(o.Name))
}

// trigger queues the push of event e, stamped with the meter's time.
func (p *pusher) trigger(m *meter.Meter, meterAt time.Time, stamp axdr.DateTime, e *Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.invokeID++
	apdu, err := push.Encode(&p.setups[0], snapshot{objects.LogicalDeviceName(m.Serial()), stamp, e}, p.invokeID, stamp)
	if err != nil {
		return err
	}
	id := p.queue.Trigger(0, &p.setups[0], meterAt, false, meterAt)
	p.apdus[id] = apdu
	return nil
}

// step sends the pushes due at meter time now and records those given up.
func (p *pusher) step(m *meter.Meter, now time.Time) {
	type send struct {
		id   uint64
		apdu []byte
	}
	p.mu.Lock()
	due, failed := p.queue.Due(now, p.setups)
	for _, f := range failed {
		delete(p.apdus, f.ID)
	}
	sends := make([]send, 0, len(due))
	for _, d := range due {
		sends = append(sends, send{d.ID, p.apdus[d.ID]})
	}
	p.mu.Unlock()
	for range failed {
		m.Record(eventlog.PushFailed)
	}
	for _, s := range sends {
		p.out.Push(p.setups[0].Destination, s.apdu, func(err error) {
			if err == nil {
				p.mu.Lock()
				delete(p.apdus, s.id)
				p.mu.Unlock()
			}
			p.queue.Report(s.id, err)
		})
	}
}
