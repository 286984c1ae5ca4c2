package demo_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/demo"
	"github.com/amigo-ami/amigo/meter/energy"
)

// hangGuard ends a test that stopped making progress; it is not a
// performance limit.
const hangGuard = 3 * time.Minute

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) get(path string, v any) int { return c.do("GET", path, nil, v) }

func (c client) do(method, path string, body, v any) int {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 == 2 && v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			c.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return res.StatusCode
}

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
	c := client{t: t, base: d.URL(), token: token}
	runErr := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { runErr <- d.Run(runCtx) }()

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
		for {
			var r registers
			c.get(fmt.Sprintf("/api/v1/meters/%d/registers", id), &r)
			if imp, ok := activeImport(r); ok && imp.Time.After(start) {
				// What the head-end stored is what the meter counted then:
				// no more than it has now.
				now := int64(d.Fleet().Meter(k).Energy().Total[energy.ActiveImport]) // Wh
				if imp.Value <= 0 || imp.Value > now {
					t.Errorf("meter %d: +A %d Wh at %v stored; the meter has %d Wh", id, imp.Value, imp.Time, now)
				}
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("meter %d: no profile reading stored (%v)", id, ctx.Err())
			case err := <-runErr:
				t.Fatalf("the demo stopped: %v", err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	var fleet struct {
		Meters int            `json:"meters"`
		Comms  map[string]int `json:"comms"`
	}
	if s := c.get("/api/v1/fleet", &fleet); s != http.StatusOK || fleet.Meters != meters || fleet.Comms["online"] != meters {
		t.Errorf("GET /api/v1/fleet: %d %+v", s, fleet)
	}
	// Every meter pushes its registers each quarter hour: the head-end
	// knows them (the registry import reached its index) and opens them.
	for {
		accepted, unknown := pushCounts(t, d)
		if unknown > 0 {
			t.Fatalf("%v pushes from meters the head-end does not know", unknown)
		}
		if accepted >= meters {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%v pushes accepted (%v)", accepted, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// A firmware campaign sends the demo's signed image to every meter,
	// which then runs it.
	type campaign struct {
		ID          int64  `json:"id"`
		State       string `json:"state"`
		Total, Done int
		Failed      int `json:"failed"`
	}
	var camp campaign
	if s := c.do("POST", "/api/v1/campaigns", map[string]any{"name": "test", "image": demo.FirmwareImage, "group": "residential"}, &camp); s/100 != 2 {
		t.Fatalf("POST /api/v1/campaigns: %d", s)
	}
	for camp.State == "running" || camp.State == "queued" || camp.State == "" {
		select {
		case <-ctx.Done():
			t.Fatalf("campaign %+v (%v)", camp, ctx.Err())
		case err := <-runErr:
			t.Fatalf("the demo stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		c.get(fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), &camp)
	}
	if camp.State != "done" || camp.Total != meters || camp.Done != meters || camp.Failed != 0 {
		var jobs json.RawMessage
		c.get("/api/v1/jobs?limit=3", &jobs)
		t.Errorf("campaign ended %+v; the last jobs: %s", camp, jobs)
	}
	for k := range meters {
		if v := d.Fleet().Meter(k).Firmware().Active.Version; v != demo.FirmwareImage {
			t.Errorf("meter %d runs %q after the campaign", k, v)
		}
	}
	c.token = "amigo_not-a-token"
	if s := c.get("/api/v1/fleet", nil); s != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/fleet with a bad token: %d", s)
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
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "amigo_hes_pushes_accepted_total":
			accepted = v
		case `amigo_hes_pushes_rejected_total{reason="unknown"}`:
			unknown = v
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
