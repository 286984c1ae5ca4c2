package nilm_test

import (
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
)

// TestPushes: every event is pushed once, as it was when it happened;
// a refused push is repeated after the repetition delay until its
// retries run out, then recorded as a push failure.
func TestPushes(t *testing.T) {
	k := kit(t, 0)
	frames, _, n, err := k.Home(4, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	dst := push.Destination{Address: "hes.example:4060"}
	r := newRig(t, frames, [3]bool{true}, nilm.Config{Library: library(t, k, 1), PublicKey: &k.Key.PublicKey,
		Push: push.Setup{Destination: dst, Retries: 1, RepetitionDelay: 5 * time.Second}})
	r.pushes.refuseFirst = true // the first event's push and its one retry
	r.run(time.Duration(n)*time.Second/rate + 10*time.Second)
	ev := r.mod.Events()
	sent := r.pushes.sent()
	if len(sent) != len(ev)+1 {
		t.Fatalf("%d pushes for %d events (one retried)", len(sent), len(ev))
	}
	// The first event's push went twice; the others once each, in order.
	var distinct [][]byte
	for _, pdu := range sent {
		if !slices.ContainsFunc(distinct, func(d []byte) bool { return slices.Equal(d, pdu) }) {
			distinct = append(distinct, pdu)
		}
	}
	if len(distinct) != len(ev) {
		t.Fatalf("%d distinct pushes for %d events", len(distinct), len(ev))
	}
	for i, pdu := range distinct {
		var dn apdu.DataNotification
		if err := dn.Decode(pdu); err != nil {
			t.Fatal(err)
		}
		e := ev[i]
		stamp := r.m.DateTimeOf(r.m.MeterTime(e.At))
		if string(dn.DateTime) != string(stamp.Append(nil)) {
			t.Errorf("push %d: date-time % X, want the event's % X", i, dn.DateTime, stamp.Append(nil))
		}
		// structure{push setup, ldn, time, structure{6}}
		b := dn.Body
		if b[0].N != 4 || cosem.OBIS(b[1].Bytes) != nilm.PushSetupLN || string(b[2].Bytes) != "AMG0000000042" ||
			string(b[3].Bytes) != string(stamp.Append(nil)) || b[4].N != 6 {
			t.Fatalf("push %d body %v", i, b)
		}
		checkEvent(t, "push", b[5:], e)
	}
	if got := r.pushes.dsts[0]; got != dst {
		t.Errorf("pushed to %+v", got)
	}
	var failed int
	for _, e := range r.m.Events(eventlog.Communication) {
		if e.Code == eventlog.PushFailed {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d push failures recorded, want 1", failed)
	}
	// The push setup shows the destination and what a push carries.
	list := r.mustGet(objects.Reader, cosem.ClassPushSetup, nilm.PushSetupLN, 2, nil)
	if list[0].N != 4 || cosem.OBIS(list[3].Bytes) != nilm.PushSetupLN || cosem.OBIS(list[len(list)-3].Bytes) != nilm.LastEventLN {
		t.Errorf("push_object_list %v", list)
	}
	if d := r.mustGet(objects.Reader, cosem.ClassPushSetup, nilm.PushSetupLN, 3, nil); string(d[2].Bytes) != dst.Address {
		t.Errorf("destination %v", d)
	}
}
