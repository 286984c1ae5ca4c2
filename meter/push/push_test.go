package push

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func TestQueueRandomisationAndRetries(t *testing.T) {
	setups := []Setup{{Randomisation: 30 * time.Second, Retries: 2, RepetitionDelay: time.Minute}}
	q := NewQueue(7)
	q.Trigger(0, &setups[0], t0, false, t0)
	due, ok := q.Next()
	if !ok || due.Before(t0) || due.After(t0.Add(30*time.Second)) || due.Sub(t0)%time.Second != 0 {
		t.Fatalf("due at %v", due)
	}
	if got, _ := q.Due(due.Add(-time.Second), setups); len(got) != 0 {
		t.Fatal("handed out early")
	}
	got, _ := q.Due(due, setups)
	if len(got) != 1 || got[0].Attempts != 1 {
		t.Fatalf("due %+v", got)
	}
	// Three failures: two retries a minute apart, then given up.
	now := due
	for attempt := 1; attempt <= 3; attempt++ {
		q.Report(got[0].ID, errors.New("refused"))
		var failed []Failure
		got, failed = q.Due(now, setups)
		if attempt == 3 {
			if len(failed) != 1 || failed[0].Attempts != 3 || q.Len() != 0 {
				t.Fatalf("after 3 attempts: failed %+v, %d left", failed, q.Len())
			}
			break
		}
		if len(got) != 0 || len(failed) != 0 {
			t.Fatalf("attempt %d: resent at once", attempt)
		}
		now = now.Add(time.Minute)
		got, _ = q.Due(now, setups)
		if len(got) != 1 || got[0].Attempts != attempt+1 {
			t.Fatalf("retry %d: %+v", attempt, got)
		}
	}
	// The same seed draws the same delays.
	a, b := NewQueue(99), NewQueue(99)
	for range 5 {
		a.Trigger(0, &setups[0], t0, false, t0)
		b.Trigger(0, &setups[0], t0, false, t0)
	}
	for i := range a.pending {
		if a.pending[i].Due != b.pending[i].Due {
			t.Fatal("randomisation not reproducible")
		}
	}
}

func TestLastGaspGoesAtOnceAndOnce(t *testing.T) {
	setups := []Setup{{Randomisation: time.Hour, Retries: 5, RepetitionDelay: time.Second}}
	q := NewQueue(1)
	q.Trigger(0, &setups[0], t0, true, t0.Add(time.Hour))
	got, _ := q.Due(t0, setups)
	if len(got) != 1 || !got[0].LastGasp {
		t.Fatalf("last gasp not due at once: %+v", got)
	}
	q.Report(got[0].ID, errors.New("no link"))
	if _, failed := q.Due(t0, setups); len(failed) != 1 || q.Len() != 0 {
		t.Fatal("last gasp retried")
	}
}

func TestSuccessLeavesTheQueue(t *testing.T) {
	setups := []Setup{{}}
	q := NewQueue(1)
	id := q.Trigger(0, &setups[0], t0, false, t0)
	got, _ := q.Due(t0, setups)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("due %+v, triggered ID %d", got, id)
	}
	q.Report(got[0].ID, nil)
	q.Report(12345, errors.New("unknown id is ignored"))
	if got, failed := q.Due(t0.Add(time.Hour), setups); len(got)+len(failed)+q.Len() != 0 {
		t.Fatal("queue not empty after success")
	}
}

func TestWindows(t *testing.T) {
	ns := uint8(axdr.NotSpecified)
	every := axdr.Date{Year: axdr.YearNotSpecified, Month: ns, Day: ns, Weekday: ns}
	s := Setup{Windows: []Window{{
		Start: axdr.DateTime{Date: every, Time: axdr.Time{Hour: 1, Minute: 0, Second: 0}},
		End:   axdr.DateTime{Date: every, Time: axdr.Time{Hour: 4, Minute: 0, Second: 0}},
	}}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	wall := func(h, m int) time.Time { return time.Date(2024, 5, 1, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		h, m int
		open bool
		next time.Time
	}{
		{0, 30, false, wall(1, 0)},
		{1, 0, true, time.Time{}},
		{3, 59, true, time.Time{}},
		{4, 0, false, wall(25, 0)},
		{12, 0, false, wall(25, 0)},
	} {
		open, next := s.Open(wall(tc.h, tc.m))
		if open != tc.open || (!open && !next.Equal(tc.next)) {
			t.Errorf("%02d:%02d: open %v next %v", tc.h, tc.m, open, next)
		}
	}
	if open, _ := (&Setup{}).Open(t0); !open {
		t.Error("no windows must mean always open")
	}
}

type fakeReader map[[6]byte][]byte

func (f fakeReader) AppendAttribute(dst []byte, o Object) ([]byte, error) {
	v, ok := f[o.Name]
	if !ok {
		return dst, errors.New("no such object")
	}
	return append(dst, v...), nil
}

func TestEncode(t *testing.T) {
	ldn := [6]byte{0, 0, 42, 0, 0, 255}
	reg := [6]byte{1, 0, 1, 8, 0, 255}
	s := Setup{Name: [6]byte{0, 0, 25, 9, 0, 255}, Objects: []Object{{Class: 1, Name: ldn, Attr: 2}, {Class: 3, Name: reg, Attr: 2}}}
	r := fakeReader{ldn: axdr.AppendOctetString(nil, []byte("AMG0000000001")), reg: axdr.AppendUint64(nil, 12345)}
	at := axdr.FromTime(t0)
	b, err := Encode(&s, r, 0x1000007, at)
	if err != nil {
		t.Fatal(err)
	}
	var n dlms.DataNotification
	if err := n.Decode(b); err != nil {
		t.Fatal(err)
	}
	if n.InvokeID != 7 || string(n.DateTime) != string(at.Append(nil)) {
		t.Fatalf("header %v % X", n.InvokeID, n.DateTime)
	}
	if len(n.Body) != 3 || n.Body[0].N != 2 || string(n.Body[1].Bytes) != "AMG0000000001" {
		t.Fatalf("body %s", axdr.Format(n.Body))
	}
	if v, _ := n.Body[2].Uint(); v != 12345 {
		t.Fatalf("register %d", v)
	}
	s.Objects = append(s.Objects, Object{Name: [6]byte{9}})
	if _, err := Encode(&s, r, 1, at); err == nil {
		t.Fatal("missing object encoded")
	}
}

var (
	testTitle = [8]byte{'A', 'M', 'G', 0, 0, 0, 0, 1}
	testEK    = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}
	testAK    = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
)

// headEnd opens pushes as the head-end does: its own title HeadEndTitle,
// the meter's as peer, keys ek and ak, replays refused.
func headEnd(t *testing.T, ek, ak []byte) *dlms.SecurityContext {
	t.Helper()
	sec, err := dlms.NewSecurityContext(dlms.SecurityConfig{EncryptionKey: ek, AuthenticationKey: ak,
		LocalTitle: HeadEndTitle[:], PeerTitle: testTitle[:], Policy: dlms.SecurityAuthenticatedEncryption,
		Counters: dlms.NewMemoryCounters(), SendKey: "unused", ReceiveKey: "meter"})
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func TestSealerUsesTheLiveKeysAndTheStoredCounter(t *testing.T) {
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: testEK, cosem.KeyAuthentication: testAK})
	counters := dlms.NewMemoryCounters()
	if err := counters.Raise(CounterKey, 41); err != nil { // the meter sent 41 pushes before
		t.Fatal(err)
	}
	s := NewSealer(testTitle, keys, counters)
	plain := []byte{dlms.TagDataNotification, 0, 0, 0, 1, 0, 0x11, 0x05}
	ct, err := s.Seal(nil, plain)
	if err != nil {
		t.Fatal(err)
	}
	var ca dlms.CipheredAPDU
	if err := ca.Decode(ct); err != nil {
		t.Fatal(err)
	}
	if ca.Tag != dlms.TagGeneralGloCiphering || string(ca.SystemTitle) != string(testTitle[:]) ||
		ca.SecurityControl != dlms.SecurityAuthenticatedEncryption || ca.InvocationCounter != 42 {
		t.Fatalf("sealed as tag %02X title %X sc %s ic %d", ca.Tag, ca.SystemTitle, ca.SecurityControl, ca.InvocationCounter)
	}
	he := headEnd(t, testEK, testAK)
	got, err := he.OpenAPDU(nil, &ca)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("opened % X, %v", got, err)
	}
	if _, err := he.OpenAPDU(nil, &ca); !errors.Is(err, dlms.ErrReplay) {
		t.Fatalf("the same push opened twice: %v", err)
	}
	// A key_transfer changes the store: the next push is sealed with the
	// new keys, which the old ones no longer open.
	ek2, ak2 := []byte("new encryption!!"), []byte("new authenticate")
	keys.SetKey(context.Background(), cosem.KeyGlobalUnicast, ek2)
	keys.SetKey(context.Background(), cosem.KeyAuthentication, ak2)
	frame, err := s.AppendFrame(nil, plain)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := wrapper.DecodeFrame(frame, 0)
	if err != nil || f.Source != 1 || f.Dest != 1 {
		t.Fatalf("frame %+v, %v", f, err)
	}
	if err := ca.Decode(f.APDU); err != nil || ca.InvocationCounter != 43 {
		t.Fatalf("second push: ic %d, %v", ca.InvocationCounter, err)
	}
	if _, err := headEnd(t, testEK, testAK).OpenAPDU(nil, &ca); !errors.Is(err, dlms.ErrAuthentication) {
		t.Fatalf("a push after the key change opened with the old keys: %v", err)
	}
	if got, err := headEnd(t, ek2, ak2).OpenAPDU(nil, &ca); err != nil || string(got) != string(plain) {
		t.Fatalf("a push after the key change: % X, %v", got, err)
	}
	// Without keys there is no push.
	if _, err := NewSealer(testTitle, cosem.NewMemKeys(nil), counters).Seal(nil, plain); !errors.Is(err, cosem.ErrNoKey) {
		t.Fatalf("sealed without keys: %v", err)
	}
}

func TestNetPusherDeliversToAListener(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := dlms.ListenPush(dlms.PushConfig{Listen: "127.0.0.1:0", Security: func(title []byte) (*dlms.SecurityContext, error) {
		return headEnd(t, testEK, testAK), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan dlms.Notification, 1)
	go l.Serve(ctx, func(n dlms.Notification) { got <- n })
	s := Setup{Objects: []Object{{Class: 1, Name: [6]byte{0, 0, 42, 0, 0, 255}, Attr: 2}}}
	apdu, err := Encode(&s, fakeReader{[6]byte{0, 0, 42, 0, 0, 255}: axdr.AppendOctetString(nil, []byte("AMG1"))}, 3, axdr.FromTime(t0))
	if err != nil {
		t.Fatal(err)
	}
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: testEK, cosem.KeyAuthentication: testAK})
	counters := dlms.NewMemoryCounters()
	p := NewNetPusher(ctx, NewSealer(testTitle, keys, counters))
	errs := make(chan error, 1)
	p.Push(Destination{Address: "127.0.0.1:1"}, apdu, func(err error) { errs <- err })
	if err := <-errs; err == nil {
		t.Fatal("a push to a closed port succeeded")
	}
	p.Push(Destination{Address: l.Addr().String()}, apdu, func(err error) { errs <- err })
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	n := <-got
	if n.InvokeID != 3 || string(n.Body[1].Bytes) != "AMG1" || string(n.SystemTitle) != string(testTitle[:]) {
		t.Fatalf("received %+v", n)
	}
	// The failed push spent no counter: the delivered one was the first.
	if ic, _ := counters.Next(CounterKey); ic != 2 {
		t.Fatalf("next push counter %d, want 2", ic)
	}
}
