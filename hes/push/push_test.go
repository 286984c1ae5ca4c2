package push

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

var (
	testEK = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	testAK = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
	title1 = [8]byte{'A', 'M', 'G', 0, 0, 0, 0, 1}
	title2 = [8]byte{'A', 'M', 'G', 0, 0, 0, 0, 2}
	t0     = time.Date(2024, 3, 1, 12, 15, 0, 0, time.UTC)
)

type resolver map[[8]byte]Meter

func (r resolver) ResolveTitle(_ context.Context, t [8]byte) (Meter, bool, error) {
	m, ok := r[t]
	return m, ok, nil
}

// recorder is a Publisher keeping what it was given, once per ID as the
// bus does.
type recorder struct {
	mu   sync.Mutex
	msgs []bus.Message
	ids  map[string]bool
	got  chan struct{}
}

func newRecorder() *recorder { return &recorder{ids: map[string]bool{}, got: make(chan struct{}, 100)} }

func (r *recorder) PublishMsg(_ context.Context, m bus.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ids[m.ID] {
		r.ids[m.ID] = true
		m.Data = bytes.Clone(m.Data)
		r.msgs = append(r.msgs, m)
	}
	select {
	case r.got <- struct{}{}:
	default:
	}
	return nil
}

// waitReadings waits until n readings have been published; a listener
// that never publishes them fails the test (a hang guard, not a limit).
func (r *recorder) waitReadings(t *testing.T, n int) {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		rs, _ := r.contents(t)
		if len(rs) >= n {
			return
		}
		select {
		case <-r.got:
		case <-guard:
			t.Fatalf("%d readings published, waiting for %d", len(rs), n)
		}
	}
}

// contents decodes every batch published so far.
func (r *recorder) contents(t *testing.T) ([]store.Reading, []meterdata.Event) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var rs []store.Reading
	var es []meterdata.Event
	for _, m := range r.msgs {
		if !bus.IsBatchSubject(m.Subject) {
			t.Errorf("published on %s, not a batch subject", m.Subject)
		}
		members, err := meterdata.SplitBatch(m.Data, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range members {
			if meterdata.IsReadings(b) {
				var x meterdata.Readings
				if err := meterdata.DecodeReadings(b, &x); err != nil {
					t.Fatal(err)
				}
				rs = append(rs, x.Readings...)
			} else {
				var x meterdata.Events
				if err := meterdata.DecodeEvents(b, &x); err != nil {
					t.Fatal(err)
				}
				es = append(es, x.Events...)
			}
		}
	}
	return rs, es
}

type harness struct {
	l    *Listener
	rec  *recorder
	stop func()
	done chan error
}

func start(t *testing.T, dir string, cfg Config) *harness {
	t.Helper()
	rec := newRecorder()
	cfg.Listen, cfg.StateDir, cfg.Publisher = "127.0.0.1:0", dir, rec
	if cfg.Resolver == nil {
		cfg.Resolver = resolver{title1: {ID: 1, Serial: "00000001", EK: testEK, AK: testAK}, title2: {ID: 2, Serial: "00000002", EK: testEK, AK: testAK}}
	}
	cfg.Linger = time.Millisecond
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{l: l, rec: rec, stop: cancel, done: make(chan error, 1)}
	go func() { h.done <- l.Serve(ctx) }()
	return h
}

// close stops the listener and waits until what it accepted is published.
func (h *harness) close(t *testing.T) {
	h.stop()
	if err := <-h.done; err != nil {
		t.Fatal(err)
	}
}

func sealer(t *testing.T, title [8]byte, counters dlms.CounterStore) *Sealer {
	s, err := NewSealer(title, testEK, testAK, counters)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func send(t *testing.T, addr net.Addr, frames ...[]byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, f := range frames {
		if _, err := c.Write(f); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPushPublishedAndReplayRejected(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir, Config{})
	s := sealer(t, title1, dlms.NewMemoryCounters())
	frame, err := s.AppendDataPush(nil, DefaultLayout(), 1, t0, []int64{1234567, 89, 4567, 12})
	if err != nil {
		t.Fatal(err)
	}
	next, _ := s.AppendDataPush(nil, DefaultLayout(), 2, t0.Add(15*time.Minute), []int64{1234600, 89, 4570, 12})
	// The same frame twice: the second is a replay.
	send(t, h.l.Addr(), frame, frame, next)
	h.rec.waitReadings(t, 8)
	h.close(t)
	rs, _ := h.rec.contents(t)
	want := []store.Reading{
		{Meter: 1, Channel: store.ActiveImport, Time: t0.UnixMilli(), Value: 1234567},
		{Meter: 1, Channel: store.ActiveExport, Time: t0.UnixMilli(), Value: 89},
		{Meter: 1, Channel: store.ReactiveImport, Time: t0.UnixMilli(), Value: 4567},
		{Meter: 1, Channel: store.ReactiveExport, Time: t0.UnixMilli(), Value: 12},
	}
	if len(rs) != 8 || !equalReadings(rs[:4], want) || rs[4].Value != 1234600 || rs[4].Time != t0.Add(15*time.Minute).UnixMilli() {
		t.Errorf("published readings %v", rs)
	}
	m := h.l.metrics
	if got := counterValue(m.rejected[ReasonReplay]); got != 1 {
		t.Errorf("%v replays counted, want 1", got)
	}
	if got := counterValue(m.Published); got != 2 {
		t.Errorf("%v pushes published, want 2", got)
	}

	// After a restart the journal still knows the counters: replaying the
	// first push is refused again, a fresh one accepted.
	h2 := start(t, dir, Config{})
	third, _ := s.AppendDataPush(nil, DefaultLayout(), 3, t0.Add(30*time.Minute), []int64{1234700, 90, 4571, 12})
	send(t, h2.l.Addr(), frame, next, third)
	h2.rec.waitReadings(t, 4)
	h2.close(t)
	if got := counterValue(h2.l.metrics.rejected[ReasonReplay]); got != 2 {
		t.Errorf("after restart: %v replays counted, want 2", got)
	}
	if rs, _ := h2.rec.contents(t); len(rs) != 4 || rs[0].Value != 1234700 {
		t.Errorf("after restart published %v", rs)
	}
}

func TestPushRejections(t *testing.T) {
	h := start(t, t.TempDir(), Config{})
	good := sealer(t, title1, dlms.NewMemoryCounters())
	var frames [][]byte
	add := func(f []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	// Another key for a known title: the tag does not verify.
	wrongKey, _ := NewSealer(title2, testAK, testEK, dlms.NewMemoryCounters())
	add(wrongKey.AppendDataPush(nil, DefaultLayout(), 1, t0, []int64{1, 2, 3, 4}))
	// A title nobody has.
	stranger := sealer(t, [8]byte{'X', 'Y', 'Z', 9, 9, 9, 9, 9}, dlms.NewMemoryCounters())
	add(stranger.AppendDataPush(nil, DefaultLayout(), 1, t0, []int64{1, 2, 3, 4}))
	// A plain DataNotification.
	body, _ := DefaultLayout().AppendBody(nil, t0, []int64{1, 2, 3, 4})
	plain := append([]byte{dlms.TagDataNotification, 0, 0, 0, 1, 0}, body...)
	add(wrapperFrame(plain), nil)
	// Authentic, with a body of the wrong shape.
	add(good.AppendFrame(nil, append([]byte{dlms.TagDataNotification, 0, 0, 0, 1, 0}, axdr.AppendUint8(nil, 7)...)))
	// Garbage inside a valid frame.
	add(wrapperFrame([]byte{0xDB, 0x08}), nil)
	// A good push last: once it is out, the others were handled.
	add(good.AppendDataPush(nil, DefaultLayout(), 2, t0, []int64{1, 2, 3, 4}))
	send(t, h.l.Addr(), frames...)
	h.rec.waitReadings(t, 4)
	h.close(t)
	m := h.l.metrics
	for reason, want := range map[string]float64{ReasonAuth: 1, ReasonUnknown: 1, ReasonPlain: 1, ReasonBody: 1, ReasonMalformed: 1} {
		if got := counterValue(m.rejected[reason]); got != want {
			t.Errorf("%s: %v, want %v", reason, got, want)
		}
	}
	if rs, _ := h.rec.contents(t); len(rs) != 4 || rs[0].Meter != 1 {
		t.Errorf("published %v, want only the good push", rs)
	}
}

func TestEventNotificationAndUDP(t *testing.T) {
	rec := newRecorder()
	l, err := New(Config{Listen: "-", UDP: "127.0.0.1:0", StateDir: t.TempDir(), Publisher: rec, Linger: time.Millisecond,
		Resolver: resolver{title1: {ID: 1, Serial: "00000001", EK: testEK, AK: testAK}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx) }()
	s := sealer(t, title1, dlms.NewMemoryCounters())
	en := dlms.EventNotification{Time: axdr.FromTime(t0).Append(nil),
		Attribute: dlms.AttributeDescriptor{ClassID: 1, Instance: dlms.InstanceID{0, 0, 96, 11, 0, 255}, Attribute: 2},
		Value:     []axdr.Value{axdr.Uint16(uint16(meterdata.PowerDown))}}
	plain, _ := en.Append(nil)
	frame, err := s.AppendFrame(nil, plain)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", l.UDPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	c.Close()
	<-rec.got // the batch is out
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	_, es := rec.contents(t)
	want := meterdata.Event{Log: meterdata.StandardLog, Time: t0.UnixMilli(), Code: meterdata.PowerDown}
	if len(es) != 1 || es[0] != want {
		t.Errorf("events %v, want %v", es, want)
	}
}

func TestJournalTornTail(t *testing.T) {
	b := appendJournalFrame(nil, []counterEntry{{1, 10}, {2, 20}})
	b = appendJournalFrame(b, []counterEntry{{1, 11}})
	whole := len(b)
	b = append(b, appendJournalFrame(nil, []counterEntry{{2, 99}})[:7]...) // torn
	state := map[store.MeterID]uint32{}
	n, err := decodeJournal(b, state)
	if n != whole || err == nil || state[1] != 11 || state[2] != 20 {
		t.Errorf("valid %d of %d (%v), state %v", n, whole, err, state)
	}
}

func FuzzDecodeJournal(f *testing.F) {
	f.Add(appendJournalFrame(nil, []counterEntry{{1, 10}, {2, 20}}))
	f.Add([]byte{'J', 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		state := map[store.MeterID]uint32{}
		n, err := decodeJournal(b, state)
		if n < 0 || n > len(b) || (err == nil && n != len(b)) {
			t.Fatalf("valid prefix %d of %d, err %v", n, len(b), err)
		}
		// What is valid decodes the same again.
		again := map[store.MeterID]uint32{}
		if m, err := decodeJournal(b[:n], again); m != n || err != nil || len(again) != len(state) {
			t.Fatalf("valid prefix does not decode again: %d %v", m, err)
		}
	})
}

func equalReadings(a, b []store.Reading) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
