package ingest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
)

// hangGuard turns a consumer that never finishes into a failure; it
// measures nothing.
const hangGuard = 60 * time.Second

const day0 int64 = 1704067200000 // 2024-01-01T00:00Z

// dayOf is meter m's hourly register readings of day d as a message.
func dayOf(m store.MeterID, d int) meterdata.Readings {
	msg := meterdata.Readings{Meter: m, Collected: day0 + int64(d+1)*86_400_000, Source: meterdata.SourceProfile}
	for h := range 24 {
		t := day0 + int64(d)*86_400_000 + int64(h+1)*3_600_000
		msg.Readings = append(msg.Readings, store.Reading{Meter: m, Channel: store.ActiveImport, Time: t, Value: int64(m)*1_000_000 + int64(d*24+h)*500})
	}
	return msg
}

func encode(t testing.TB, m interface{ Append([]byte) ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixture is an embedded bus, a Pebble store and a metadata database.
type fixture struct {
	bus   *bus.Bus
	store *pebble.DB
	meta  *meta.DB
}

func newFixture(t *testing.T, listen string) *fixture {
	t.Helper()
	dir := t.TempDir()
	b, err := bus.Open(t.Context(), bus.Config{StateDir: filepath.Join(dir, "bus"), Listen: listen})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	st, err := pebble.Open(t.Context(), filepath.Join(dir, "readings"), pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	md, err := meta.OpenSQLite(t.Context(), filepath.Join(dir, "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { md.Close() })
	return &fixture{bus: b, store: st, meta: md}
}

// runUntil runs c until cond holds after a batch, then stops it.
func runUntil(t *testing.T, c *Consumer, cond func(Metrics) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond(c.Metrics()) {
		select {
		case <-tick.C:
		case err := <-done:
			t.Fatalf("consumer stopped: %v (metrics %+v)", err, c.Metrics())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestReadingsFromBusToStore(t *testing.T) {
	f := newFixture(t, "")
	ctx := t.Context()
	var msgs []bus.Message
	for m := store.MeterID(1); m <= 5; m++ {
		for d := range 10 {
			msg := dayOf(m, d)
			msgs = append(msgs, bus.Message{Subject: bus.ReadingsSubject(fmt.Sprintf("SN%04d", m)), ID: fmt.Sprintf("%d/%d", m, d), Data: encode(t, &msg)})
		}
	}
	// The head-end reads meter 3's day 4 again (a new message: another
	// ID), sends garbage, and a value of meter 2 that disagrees with what
	// it sent before.
	again := dayOf(3, 4)
	msgs = append(msgs, bus.Message{Subject: bus.ReadingsSubject("SN0003"), ID: "3/4 again", Data: encode(t, &again)})
	msgs = append(msgs, bus.Message{Subject: bus.ReadingsSubject("SN0009"), ID: "garbage", Data: []byte("R\x01not a message")})
	future := dayOf(4, 20_000) // 2078: a clock gone wild
	msgs = append(msgs, bus.Message{Subject: bus.ReadingsSubject("SN0004"), ID: "future", Data: encode(t, &future)})
	changed := dayOf(2, 0)
	changed.Readings = changed.Readings[5:6]
	changed.Readings[0].Value++
	msgs = append(msgs, bus.Message{Subject: bus.ReadingsSubject("SN0002"), ID: "2/0 changed", Data: encode(t, &changed)})
	if err := f.bus.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.UnixMilli(day0).AddDate(0, 1, 0) }
	c, err := New(Config{Store: f.store, Bus: f.bus, Batch: 16, Now: now, Options: []bus.ConsumeOption{bus.AckWait(5 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, c, func(m Metrics) bool { return m.Messages == int64(len(msgs)) })

	want := Metrics{Messages: 54, Rejected: 2, Added: 50 * 24, Duplicates: 24, Conflicts: 1}
	got := c.Metrics()
	got.LagMs = 0
	if got != want {
		t.Errorf("metrics %+v, want %+v", got, want)
	}
	for m := store.MeterID(1); m <= 5; m++ {
		rs, err := f.store.Scan(ctx, store.ScanQuery{Meter: m, Channel: store.ActiveImport, Range: store.Range{From: day0, To: day0 + 11*86_400_000}}, nil)
		if err != nil || len(rs) != 240 {
			t.Fatalf("meter %d: %d readings, %v; want 240", m, len(rs), err)
		}
		if rs[239].Value != int64(m)*1_000_000+239*500 {
			t.Errorf("meter %d: last reading %s", m, rs[239])
		}
	}
	cs, err := f.store.Conflicts(ctx, store.ConflictQuery{})
	if err != nil || len(cs) != 1 || cs[0].Incoming.Value != changed.Readings[0].Value {
		t.Errorf("conflicts %v, %v; want the changed value kept for review", cs, err)
	}
}

func TestEventsAndTamperAlarms(t *testing.T) {
	f := newFixture(t, "")
	ctx := t.Context()
	meter, err := f.meta.CreateMeter(ctx, meta.Meter{Serial: "SN0001"})
	if err != nil {
		t.Fatal(err)
	}
	evs := meterdata.Events{Meter: meter, Events: []meterdata.Event{
		{Log: meterdata.StandardLog, Time: day0, Code: meterdata.PowerDown},
		{Log: meterdata.StandardLog, Time: day0, Code: meterdata.PowerUp},
		{Log: meterdata.FraudLog, Time: day0 + 60_000, Code: meterdata.MeterCoverOpened},
	}}
	data := encode(t, &evs)
	// The same event log read twice: one alarm.
	msgs := []bus.Message{
		{Subject: bus.EventsSubject("SN0001"), ID: "a", Data: data},
		{Subject: bus.EventsSubject("SN0001"), ID: "b", Data: data},
	}
	if err := f.bus.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Store: f.store, Bus: f.bus, Alarms: f.meta, Batch: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, c, func(m Metrics) bool { return m.Messages == 2 })
	got := c.Metrics()
	if got.Events != 6 || got.Added != 3 || got.Duplicates != 3 {
		t.Errorf("metrics %+v, want 6 events, 3 added, 3 duplicates", got)
	}
	rs, err := f.store.Scan(ctx, store.ScanQuery{Meter: meter, Channel: meterdata.StandardLog, Range: store.Range{From: day0, To: day0 + 1000}}, nil)
	if err != nil || len(rs) != 2 || meterdata.EventOf(rs[1]).Code != meterdata.PowerUp || rs[1].Time != day0+1 {
		t.Errorf("standard log %v, %v; want power down at t and power up at t+1 ms", rs, err)
	}
	alarms, err := f.meta.Alarms(ctx, meta.AlarmFilter{Meter: meter})
	if err != nil || len(alarms) != 1 || alarms[0].Kind != "tamper" || alarms[0].Message != "meter cover opened" || !alarms[0].RaisedAt.Equal(time.UnixMilli(day0+60_000)) {
		t.Errorf("alarms %+v, %v; want one tamper alarm at the event's time", alarms, err)
	}
}

// The push listener publishes many meters' messages in one batch.
func TestBatchMessages(t *testing.T) {
	f := newFixture(t, "")
	ctx := t.Context()
	var b meterdata.Batch
	for m := store.MeterID(1); m <= 3; m++ {
		day := dayOf(m, 0)
		if err := b.AppendReadings(&day); err != nil {
			t.Fatal(err)
		}
	}
	evs := meterdata.Events{Meter: 2, Events: []meterdata.Event{{Log: meterdata.StandardLog, Time: day0 + 5, Code: meterdata.PowerDown}}}
	if err := b.AppendEvents(&evs); err != nil {
		t.Fatal(err)
	}
	good := bytes.Clone(b.Bytes())
	// A batch whose last member is garbage is refused whole.
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 0xff
	msgs := []bus.Message{
		{Subject: bus.ReadingsBatchSubject("hes-1"), ID: "b1", Data: good},
		{Subject: bus.ReadingsBatchSubject("hes-1"), ID: "b2", Data: bad},
	}
	if err := f.bus.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Store: f.store, Bus: f.bus})
	if err != nil {
		t.Fatal(err)
	}
	runUntil(t, c, func(m Metrics) bool { return m.Messages == 2 })
	got := c.Metrics()
	if got.Added != 3*24+1 || got.Events != 1 || got.Rejected != 1 {
		t.Errorf("metrics %+v, want 73 readings added, 1 event, 1 batch refused", got)
	}
	rs, err := f.store.Scan(ctx, store.ScanQuery{Meter: 3, Channel: store.ActiveImport, Range: store.Range{From: day0, To: day0 + 86_400_001}}, nil)
	if err != nil || len(rs) != 24 {
		t.Errorf("meter 3: %d readings, %v", len(rs), err)
	}
}
