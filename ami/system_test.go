package ami_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/ami"
	"github.com/amigo-ami/amigo/hes/clock"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web/webtest"
)

// hangGuard bounds each wait on the running system: generous, as the
// 2-core CI machine runs other tests at once; a system that never gets
// there fails with what it last saw instead of hanging.
const hangGuard = 2 * time.Minute

const meterTOML = `serial = "0000000007"
[disconnect]
mode = 1
[prepay]
mode = "credit"
currency = "EUR"
scale = -2
token_key = "746F6B656E206B6579206F6620746865206D65746572"
`

const registryTOML = `[[meter]]
serial = "0000000007"
address = "%s"
keys = "demo"
group = "test"
class = "1"

[keys.demo]
guek = "000102030405060708090A0B0C0D0E0F"
gak = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
password = "3030303030303030"
`

const serveTOML = `data = %q
[web]
listen = "127.0.0.1:0"
[hes]
registry = %q
push_listen = "-"
[[hes.schedule]]
name = "profile"
spec = "@every 15m"
kind = "read-profile"
[[hes.schedule]]
name = "status"
spec = "@every 15m"
kind = "read-status"
[prepay]
token_key = "746F6B656E206B6579206F6620746865206D65746572"
`

const twoRate = `{"zone": "Europe/Paris",
 "periods": [{"name": "peak", "price": "0.30"}, {"name": "offpeak", "price": "0.15"}],
 "seasons": [{"from": "01-01", "days": {
   "weekday": [{"at": "00:00", "period": "offpeak"}, {"at": "07:00", "period": "peak"}, {"at": "22:00", "period": "offpeak"}],
   "sunday": [{"at": "00:00", "period": "offpeak"}]}}]}`

type meterView struct {
	ID     store.MeterID `json:"id"`
	Serial string        `json:"serial"`
	Status struct {
		Comms  string `json:"comms"`
		Supply string `json:"supply"`
		Credit *struct {
			BalanceMicros int64  `json:"balance_micros"`
			Currency      string `json:"currency"`
		} `json:"credit"`
	} `json:"status"`
}

type jobView struct {
	ID     int64  `json:"id"`
	State  string `json:"state"`
	Result string `json:"result"`
}

// TestServe runs the whole AMI of `amigo serve` in process — embedded bus,
// Pebble, SQLite, head-end, MDM ingest and the API — against one software
// meter on loopback TCP, on a clock ten minutes a second: readings reach
// the API, a disconnect and a credit top-up run through the head-end and
// show in the meter's status, and after a stop the data directory opens
// again with everything in it.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole system for several seconds")
	}
	t.Run("embedded", func(t *testing.T) { testServe(t, "") })
	// With both scale-out servers (.ci/suites/clickhouse start and
	// .ci/suites/postgres start print their URLs), the same on them.
	ch, pg := os.Getenv("AMIGO_CLICKHOUSE_URL"), os.Getenv("AMIGO_POSTGRES_URL")
	t.Run("clickhouse+postgres", func(t *testing.T) {
		if ch == "" || pg == "" {
			t.Skip("AMIGO_CLICKHOUSE_URL and AMIGO_POSTGRES_URL are not both set")
		}
		testServe(t, fmt.Sprintf("[store]\nreadings = %q\nmeta = %q\n", ch, pg))
	})
}

func testServe(t *testing.T, storeTOML string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*hangGuard)
	defer cancel()
	dir := t.TempDir()
	start := time.Now().UTC().Truncate(time.Hour)
	clk := clock.NewScaled(start, 600)

	file, err := config.Parse("meter.toml", []byte(meterTOML))
	if err != nil {
		t.Fatal(err)
	}
	d, err := device.New(device.Config{File: file, Listen: "127.0.0.1:0", Clock: clk.Now, Tick: 20 * time.Millisecond, Load: "constant:1200"})
	if err != nil {
		t.Fatal(err)
	}
	meterCtx, stopMeter := context.WithCancel(ctx)
	meterDone := make(chan error, 1)
	go func() { meterDone <- d.Serve(meterCtx) }()
	defer func() {
		stopMeter()
		if err := <-meterDone; err != nil {
			t.Error(err)
		}
	}()

	reg := filepath.Join(dir, "meters.toml")
	if err := os.WriteFile(reg, fmt.Appendf(nil, registryTOML, d.Addr()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ami.ParseConfig("amigo.toml", append(fmt.Appendf(nil, serveTOML, filepath.Join(dir, "data"), reg), storeTOML...))
	if err != nil {
		t.Fatal(err)
	}
	sys, err := ami.Open(ctx, cfg, ami.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	token, err := sys.AdminToken(ctx, "test", time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- sys.Run(runCtx) }()
	api := &webtest.Client{Base: "http://" + sys.WebAddr().String(), Token: token}
	wait := func(what string, cond func() (bool, error)) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, hangGuard)
		defer cancel()
		if err := webtest.Until(wctx, 50*time.Millisecond, what, cond); err != nil {
			t.Fatal(err)
		}
	}

	var m meterView
	wait("the meter online, connected, with its credit", func() (bool, error) {
		err := api.Get(ctx, "/meters/1", &m)
		return err == nil && m.Status.Comms == "online" && m.Status.Supply == "connected" && m.Status.Credit != nil, fmt.Errorf("%+v %v", m, err)
	})
	if m.Serial != "0000000007" || m.Status.Credit.Currency != "EUR" {
		t.Errorf("meter %+v", m)
	}
	var readings struct {
		Points []struct {
			T time.Time `json:"t"`
			V int64     `json:"v"`
		} `json:"points"`
	}
	wait("two 15-minute +A readings through the bus and the MDM", func() (bool, error) {
		now := clk.Now()
		err := api.Get(ctx, fmt.Sprintf("/meters/1/readings?channel=active_import&from=%s&to=%s", start.Format(time.RFC3339), now.Format(time.RFC3339)), &readings)
		return err == nil && len(readings.Points) >= 2, err
	})
	// A constant 1 200 W: 300 Wh a quarter hour.
	if p := readings.Points; p[1].V-p[0].V != 300 || p[1].T.Sub(p[0].T) != 15*time.Minute {
		t.Errorf("+A readings %+v: want 300 Wh in 15 minutes", p[:2])
	}
	// Analytics over the stored intervals: 1 200 W around the clock is
	// 864 kWh a month, class 0.2 (≥ 500 kWh); the peak is the 1 200 W.
	var classes struct {
		Items []struct {
			Meter       int    `json:"meter"`
			Recommended string `json:"recommended"`
			PeakW       int64  `json:"peak_w"`
		} `json:"items"`
	}
	if err := api.Get(ctx, "/analytics/class-recommendations", &classes); err != nil {
		t.Fatal(err)
	}
	if c := classes.Items; len(c) != 1 || c[0].Meter != 1 || c[0].Recommended != "0.2" || c[0].PeakW != 1200 {
		t.Errorf("class recommendations %+v", c)
	}
	var quality struct {
		Meters   int   `json:"meters"`
		Received int64 `json:"received"`
		Groups   []struct {
			Meters int `json:"meters"`
		} `json:"groups"`
	}
	if err := api.Get(ctx, fmt.Sprintf("/analytics/quality?from=%s&to=%s", start.Format(time.RFC3339), clk.Now().Format(time.RFC3339)), &quality); err != nil {
		t.Fatal(err)
	}
	if quality.Meters != 1 || quality.Received < 2 || len(quality.Groups) != 1 || quality.Groups[0].Meters != 1 {
		t.Errorf("fleet quality %+v", quality)
	}

	run := func(body map[string]any) jobView {
		t.Helper()
		var j jobView
		if err := api.Do(ctx, "POST", "/meters/1/commands", body, &j); err != nil {
			t.Fatal(err)
		}
		wait(fmt.Sprintf("job %d (%v) to finish", j.ID, body["kind"]), func() (bool, error) {
			err := api.Get(ctx, fmt.Sprint("/jobs/", j.ID), &j)
			return err == nil && (j.State == "done" || j.State == "failed"), err
		})
		if j.State != "done" {
			t.Fatalf("%v: job %+v", body, j)
		}
		return j
	}
	// A two-rate tariff becomes the meter's calendar: weekdays (and
	// Saturdays, which fall back to them) switch 07:00 and 22:00,
	// Sundays stay off-peak; off-peak is the meter's tariff 2.
	tariffName := fmt.Sprint("two-rate ", time.Now().UnixNano()) // unique on a database that outlives the test
	tid, err := sys.Meta().CreateTariff(ctx, meta.Tariff{Name: tariffName, Currency: "EUR", Definition: []byte(twoRate)})
	if err != nil {
		t.Fatal(err)
	}
	run(map[string]any{"kind": "tariff-update", "tariff_id": tid})
	act, _ := d.Meter().Activity()
	cal := act.Active
	if cal.Name != tariffName || len(cal.Seasons) != 1 || len(cal.Weeks) != 1 || cal.Weeks[0].Days != [7]uint8{1, 1, 1, 1, 1, 1, 2} || len(cal.Days) != 2 {
		t.Fatalf("active calendar after the tariff update: %+v", cal)
	}
	var selectors []uint16
	for _, a := range cal.Days[0].Actions {
		selectors = append(selectors, a.Script.Selector)
	}
	if !slices.Equal(selectors, []uint16{2, 1, 2}) || cal.Days[0].Actions[1].Start.Hour != 7 {
		t.Errorf("weekday profile %+v", cal.Days[0])
	}

	credit := m.Status.Credit.BalanceMicros
	run(map[string]any{"kind": "credit-top-up", "amount_micros": 20_000_000})
	if j := run(map[string]any{"kind": "disconnect"}); j.Result != "disconnected" {
		t.Errorf("disconnect job's result %q", j.Result)
	}
	// A power-quality capture, read on demand: a load model's meter has
	// the instantaneous values (230 V, 1 200 W) but no harmonics.
	var pq struct {
		Phases []struct {
			Phase     string  `json:"phase"`
			URMS      float64 `json:"u_rms"`
			Harmonics []any   `json:"harmonics"`
		} `json:"phases"`
	}
	if err := api.Get(ctx, "/meters/1/power-quality", &pq); err != nil {
		t.Fatal(err)
	}
	if len(pq.Phases) != 1 || pq.Phases[0].Phase != "a" || math.Abs(pq.Phases[0].URMS-230) > 0.5 || len(pq.Phases[0].Harmonics) != 0 {
		t.Errorf("power quality %+v", pq)
	}
	if err := api.Get(ctx, "/meters/1", &m); err != nil {
		t.Fatal(err)
	}
	if m.Status.Supply != "disconnected" || d.Meter().Connected() {
		t.Errorf("after the disconnect: supply %q, the meter connected %t", m.Status.Supply, d.Meter().Connected())
	}
	// The credit rose by €20, less what the meter charged meanwhile.
	if got := m.Status.Credit.BalanceMicros - credit; got > 20_000_000 || got < 19_000_000 {
		t.Errorf("credit moved by %d micro-euro after a €20 top-up", got)
	}

	stop()
	if err := <-ran; err != nil {
		t.Fatalf("stopping: %v", err)
	}
	// The data directory opens again with what was stored.
	sys, err = ami.Open(ctx, cfg, ami.Options{Clock: clk})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	rs, err := sys.Store().Scan(ctx, store.ScanQuery{Meter: 1, Channel: store.ActiveImport, Range: store.Range{From: start.UnixMilli(), To: clk.Now().UnixMilli()}}, nil)
	if err != nil || len(rs) < len(readings.Points) {
		t.Errorf("after reopening: %d readings (%v), want at least %d", len(rs), err, len(readings.Points))
	}
	if err := sys.Close(); err != nil {
		t.Error(err)
	}
}
