package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/demo"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/web/webtest"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// hangGuard ends a test that stopped making progress; it is not a
// performance limit.
const hangGuard = 3 * time.Minute

type register struct {
	Channel string    `json:"channel"`
	Value   int64     `json:"value"`
	Time    time.Time `json:"time"`
}

type registers struct {
	Registers []register `json:"registers"`
}

// The demo is the whole system: the fleet is imported with its tariff,
// the head-end reads every meter's profile on its schedule, the meters'
// ciphered pushes are accepted, the console's API answers with the admin
// token, and Close leaves no data directory behind.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole system for a few seconds")
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	const meters = 6
	start := time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC) // a Monday
	d, err := demo.Open(ctx, demo.Config{Meters: meters, Waveform: -1, HTTP: "127.0.0.1:0", Speed: 600, Start: start, Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	token, err := d.AdminToken(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	api := &webtest.Client{Base: d.URL(), Token: token}
	runErr := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { runErr <- d.Run(runCtx) }()
	// wait polls cond until it holds; the demo stopping fails the test.
	wait := func(what string, cond func() (bool, error)) {
		t.Helper()
		err := webtest.Until(ctx, 50*time.Millisecond, what, func() (bool, error) {
			select {
			case err := <-runErr:
				t.Fatalf("the demo stopped: %v", err)
			default:
			}
			return cond()
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	tariffs, err := d.System().Meta().Tariffs(ctx)
	if err != nil || len(tariffs) != 1 || tariffs[0].Name != demo.TariffName {
		t.Fatalf("tariffs %+v, %v", tariffs, err)
	}
	// Wait until the head-end has read a profile interval of every meter
	// after the first quarter hour; the API shows its registers.
	ids := make([]int64, meters)
	for k := range meters {
		m, err := d.System().Meta().MeterBySerial(ctx, d.Fleet().Registry()[k].Serial)
		if err != nil {
			t.Fatal(err)
		}
		if m.TariffID == 0 {
			t.Errorf("meter %s has no tariff", m.Serial)
		}
		ids[k] = int64(m.ID)
	}
	for k, id := range ids {
		var imp register
		wait(fmt.Sprintf("a profile reading of meter %d", id), func() (bool, error) {
			var r registers
			err := api.Get(ctx, fmt.Sprintf("/meters/%d/registers", id), &r)
			var ok bool
			imp, ok = activeImport(r)
			return ok && imp.Time.After(start), err
		})
		// What the head-end stored is what the meter counted then: no more
		// than it has now.
		now := int64(d.Fleet().Meter(k).Energy().Total[energy.ActiveImport]) // Wh
		if imp.Value <= 0 || imp.Value > now {
			t.Errorf("meter %d: +A %d Wh at %v stored; the meter has %d Wh", id, imp.Value, imp.Time, now)
		}
	}
	var fleet struct {
		Meters int            `json:"meters"`
		Comms  map[string]int `json:"comms"`
	}
	if err := api.Get(ctx, "/fleet", &fleet); err != nil || fleet.Meters != meters || fleet.Comms["online"] != meters {
		t.Errorf("GET /fleet: %+v, %v", fleet, err)
	}
	// Every meter pushes its registers each quarter hour: the head-end
	// knows them (the registry import reached its index) and opens them.
	wait("a push from every meter", func() (bool, error) {
		accepted, unknown := pushCounts(t, d)
		if unknown > 0 {
			t.Fatalf("%v pushes from meters the head-end does not know", unknown)
		}
		return accepted >= meters, fmt.Errorf("%v pushes accepted", accepted)
	})
	// A firmware campaign sends the demo's signed image to every meter,
	// which then runs it.
	type campaign struct {
		ID          int64  `json:"id"`
		State       string `json:"state"`
		Total, Done int
		Failed      int `json:"failed"`
	}
	var camp campaign
	if err := api.Do(ctx, "POST", "/campaigns", map[string]any{"name": "test", "image": demo.FirmwareImage, "group": "residential"}, &camp); err != nil {
		t.Fatal(err)
	}
	wait("the campaign to end", func() (bool, error) {
		err := api.Get(ctx, fmt.Sprintf("/campaigns/%d", camp.ID), &camp)
		return camp.State != "running" && camp.State != "queued" && camp.State != "", err
	})
	if camp.State != "done" || camp.Total != meters || camp.Done != meters || camp.Failed != 0 {
		var jobs json.RawMessage
		api.Get(ctx, "/jobs?limit=3", &jobs)
		t.Errorf("campaign ended %+v; the last jobs: %s", camp, jobs)
	}
	for k := range meters {
		if v := d.Fleet().Meter(k).Firmware().Active.Version; v != demo.FirmwareImage {
			t.Errorf("meter %d runs %q after the campaign", k, v)
		}
	}
	bad := &webtest.Client{Base: d.URL(), Token: "amigo_not-a-token"}
	if err := bad.Get(ctx, "/fleet", nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("GET /fleet with a bad token: %v, want 401", err)
	}

	dir := d.DataDir()
	stop()
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the temporary data directory %s is still there (%v)", dir, err)
	}
}

func activeImport(r registers) (register, bool) {
	for _, x := range r.Registers {
		if x.Channel == "1.0.1.8.0.255" {
			return x, true
		}
	}
	return register{}, false
}

// pushCounts reads the head-end's push counters from /metrics.
func pushCounts(t *testing.T, d *demo.Demo) (accepted, unknown float64) {
	t.Helper()
	res, err := http.Get(d.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if mf := mfs["amigo_hes_pushes_accepted_total"]; mf != nil {
		accepted = mf.GetMetric()[0].GetCounter().GetValue()
	}
	for _, m := range mfs["amigo_hes_pushes_rejected_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "reason" && l.GetValue() == "unknown" {
				unknown = m.GetCounter().GetValue()
			}
		}
	}
	return accepted, unknown
}

// A kept data directory is not reused: the new fleet's counters would
// make its pushes replays.
func TestDemoRefusesUsedData(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/meta.db", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Open(context.Background(), demo.Config{Meters: 2, HTTP: "127.0.0.1:0", Data: dir})
	if err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("Open on a used directory: %v", err)
	}
	if _, err := os.Stat(dir + "/meta.db"); err != nil {
		t.Fatalf("the directory's content: %v", err)
	}
}
