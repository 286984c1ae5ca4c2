package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/sim"
	"github.com/amigo-ami/amigo/sim/fault"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// recorder is the head-end's Publisher: it keeps each message once per ID
// (as the bus does) and counts every reading it carries, so a reading
// published in two messages shows as twice.
type recorder struct {
	mu        sync.Mutex
	ids       map[string]bool
	readings  map[reading]int
	events    map[meterdata.Code]int
	appliance []store.Reading // the readings of appliance events, as published
	published chan struct{}   // told of every message kept (when set)
}

type reading struct {
	meter   store.MeterID
	channel store.Channel
	time    int64
}

func newRecorder() *recorder {
	return &recorder{ids: map[string]bool{}, readings: map[reading]int{}, events: map[meterdata.Code]int{}}
}

func (r *recorder) PublishMsg(_ context.Context, m bus.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.ID != "" && r.ids[m.ID] {
		return nil
	}
	r.ids[m.ID] = true
	members := [][]byte{m.Data}
	if meterdata.IsBatch(m.Data) {
		var err error
		if members, err = meterdata.SplitBatch(m.Data, nil); err != nil {
			return err
		}
	}
	for _, b := range members {
		if !meterdata.IsReadings(b) {
			var x meterdata.Events
			if err := meterdata.DecodeEvents(b, &x); err != nil {
				return err
			}
			for _, e := range x.Events {
				r.events[e.Code]++
			}
			continue
		}
		var x meterdata.Readings
		if err := meterdata.DecodeReadings(b, &x); err != nil {
			return err
		}
		for _, rd := range x.Readings {
			r.readings[reading{rd.Meter, rd.Channel, rd.Time}]++
			if rd.Channel == meterdata.ApplianceLog {
				r.appliance = append(r.appliance, rd)
			}
		}
	}
	if r.published != nil {
		r.published <- struct{}{}
	}
	return nil
}

// count returns how many readings and events the recorder holds.
func (r *recorder) count() (readings, events int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.events {
		events += n
	}
	return len(r.readings), events
}

// reliability is the scenario of issue 6: meters with 10 % of their
// frames lost, 1 % corrupted and 5 % of their time offline, read by the
// head-end every 15 minutes for span; then the faults stop for an hour.
// Every 15-minute interval of every meter must have arrived once
// (backfill), and the meter whose key the head-end has wrong must be
// reported and tried at most three times a read.
type reliability struct {
	meters int
	span   time.Duration
	faults string
}

func (s reliability) run(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		start := time.Now().UTC() // the bubble's 2000-01-01 00:00
		spec, err := fault.Parse(s.faults)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sim.New(sim.Config{Meters: s.meters, Seed: 6, Start: start, Speed: 1, Faults: spec, Keys: sim.PerMeterKeys,
			Load: "constant:1000", FastStep: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		// The registry as the fleet exports it, but the head-end has
		// another key for meter 0.
		var toml bytes.Buffer
		sim.WriteTOML(&toml, f.Registry())
		entries, keys, err := registry.ParseTOML("fleet.toml", &toml)
		if err != nil {
			t.Fatal(err)
		}
		wrong := entries[0]
		ks := keys[wrong.KeysRef]
		ks.EK = bytes.Repeat([]byte{0x5A}, 16)
		keys[wrong.KeysRef] = ks
		db, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := registry.Import(ctx, db, "test", entries, keys); err != nil {
			t.Fatal(err)
		}
		var dialMu sync.Mutex
		dials := map[string]int{}
		rec := newRecorder()
		dial := dialInMemory(f)
		h, err := hes.New(ctx, hes.Config{Meta: db, Publisher: rec, Clock: f.Clock(), ClientTitle: sim.Template().Security.ClientTitle,
			InitialBackfill: 24 * time.Hour,
			Schedules:       []hes.Schedule{{Name: "profile", Spec: "@every 15m", Kind: hes.ReadProfile, Jitter: 10 * time.Minute}},
			Conn:            conn.Config{Retry: conn.Retry{Attempts: 3, Base: 20 * time.Second, Max: 2 * time.Minute}, Timeout: 30 * time.Second},
			Dial: func(ctx context.Context, a registry.Address) (dlms.Transport, error) {
				dialMu.Lock()
				dials[a.HostPort]++
				dialMu.Unlock()
				return dial(ctx, a)
			}})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := f.Run(runCtx); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if err := h.Run(runCtx); err != nil {
				t.Error(err)
			}
		})
		cpu := bench.CPUTime()
		time.Sleep(s.span)
		faulty := f.Stats()
		f.SetFaults(fault.Spec{})
		time.Sleep(time.Hour)
		synctest.Wait()
		// Asked on its own, the wrong-key meter fails at once, reported
		// with an alarm.
		dialMu.Lock()
		before := dials[wrong.Address.HostPort]
		dialMu.Unlock()
		id, err := h.Submit(ctx, hes.Request{Kind: hes.ReadRegisters, Meter: wrong.Serial})
		if err != nil {
			t.Fatal(err)
		}
		single, err := h.Wait(ctx, id, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		singleDials := dials[wrong.Address.HostPort] - before
		stop()
		wg.Wait()
		t.Logf("%d meters, %v with faults + 1 h without: %v CPU; %d connections (%d refused), %d frames (%d lost, %d corrupted), %d offline periods",
			s.meters, s.span, bench.CPUTime()-cpu, faulty.Connections, faulty.Refused, faulty.Frames, faulty.Dropped, faulty.Corrupted, faulty.Offline)
		if faulty.Frames == 0 || (spec.Loss > 0) != (faulty.Dropped > 0) || (spec.Corrupt > 0) != (faulty.Corrupted > 0) || (spec.Offline.Fraction > 0) != (faulty.Refused > 0) {
			t.Fatalf("the faults did not happen: %+v", faulty)
		}

		// Every interval of every meter but the one with the wrong key,
		// from 00:15 to the end of the faults at least, once.
		ids := map[store.MeterID]string{}
		for _, e := range entries {
			m, err := db.MeterBySerial(ctx, e.Serial)
			if err != nil {
				t.Fatal(err)
			}
			ids[m.ID] = e.Serial
		}
		times := map[string][]int64{}
		for r, n := range rec.readings {
			if n != 1 {
				t.Errorf("meter %s %v at %v published %d times", ids[r.meter], r.channel, time.UnixMilli(r.time).UTC(), n)
			}
			if r.channel == store.ActiveImport {
				times[ids[r.meter]] = append(times[ids[r.meter]], r.time)
			}
		}
		if n := len(times[wrong.Serial]); n != 0 {
			t.Errorf("meter %s with a wrong key: %d readings", wrong.Serial, n)
		}
		end := start.Add(s.span)
		for _, e := range entries[1:] {
			ts := times[e.Serial]
			slices.Sort(ts)
			want := int(s.span / (15 * time.Minute))
			if len(ts) < want || ts[0] != start.Add(15*time.Minute).UnixMilli() || ts[want-1] != end.UnixMilli() {
				t.Fatalf("meter %s: %d intervals from %v, want %d from 00:15 to %v", e.Serial, len(ts), time.UnixMilli(ts[0]).UTC(), want, end)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i]-ts[i-1] != (15 * time.Minute).Milliseconds() {
					t.Fatalf("meter %s: interval after %v missing", e.Serial, time.UnixMilli(ts[i-1]).UTC())
				}
			}
		}

		// The wrong key is reported — by an alarm when the meter is read
		// alone, in the scheduled reads' results — and not retried: alone
		// on a clean link, three dials (association, counter read,
		// association); under faults at most the three attempts a timeout
		// earns.
		var fail struct{ Reason string }
		json.Unmarshal(single.Result, &fail)
		m0, _ := db.MeterBySerial(ctx, wrong.Serial)
		alarms, err := db.Alarms(ctx, meta.AlarmFilter{Meter: m0.ID})
		if single.State != meta.JobFailed || fail.Reason != "wrong-key" || err != nil || len(alarms) != 1 || alarms[0].Kind != "wrong-key" {
			t.Fatalf("read of meter %s: %s; alarms %+v (%v)", wrong.Serial, single.Result, alarms, err)
		}
		if singleDials != 3 {
			t.Errorf("meter %s with a wrong key dialled %d times for one read", wrong.Serial, singleDials)
		}
		jobs, err := h.Jobs(ctx, hes.JobFilter{Kind: hes.ReadProfile})
		if err != nil {
			t.Fatal(err)
		}
		failed := map[string]int{}
		done := 0
		for _, j := range jobs {
			if j.State != meta.JobDone {
				continue // the one running when the head-end stopped
			}
			done++
			var g hes.GroupResult
			json.Unmarshal(j.Result, &g)
			for reason, n := range g.Failed {
				failed[reason] += n
			}
		}
		// The meter fails every read (it has delivered nothing, above):
		// by its key, unless a lost or corrupted frame ended the read
		// first.
		if failed["wrong-key"] < done/2 {
			t.Errorf("%d of %d scheduled reads found meter %s's key wrong", failed["wrong-key"], done, wrong.Serial)
		}
		if d := before; d > 9*len(jobs) {
			t.Errorf("meter %s with a wrong key dialled %d times in %d scheduled reads", wrong.Serial, d, len(jobs))
		}
		t.Logf("%d scheduled reads; meter reads failed after their retries, by reason: %v", len(jobs), failed)
	})
}

// TestReliability runs the scenario on 200 meters for three simulated
// hours; AMIGO_SIM_RELIABILITY=full runs the 10,000 meters for a
// simulated day (BENCHMARKS.md, "sim"), METERS,SPAN others, and
// AMIGO_SIM_RELIABILITY_FAULTS other faults (a sim/fault spec).
func TestReliability(t *testing.T) {
	s := reliability{meters: 200, span: 3 * time.Hour, faults: "loss=10%,corrupt=1%,offline=5%"}
	if v := os.Getenv("AMIGO_SIM_RELIABILITY_FAULTS"); v != "" {
		s.faults = v
	}
	if v := os.Getenv("AMIGO_SIM_RELIABILITY"); v == "full" {
		s.meters, s.span = 10_000, 24*time.Hour
	} else if v != "" {
		n, span, _ := strings.Cut(v, ",")
		var err1, err2 error
		s.meters, err1 = strconv.Atoi(n)
		s.span, err2 = time.ParseDuration(span)
		if err1 != nil || err2 != nil || s.meters < 2 || s.span%(15*time.Minute) != 0 {
			t.Fatalf("AMIGO_SIM_RELIABILITY=%q: want full or METERS,SPAN (e.g. 1000,6h; whole quarter hours)", v)
		}
	}
	s.run(t)
}
