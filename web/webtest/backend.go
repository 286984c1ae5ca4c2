package webtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
	"github.com/amigo-ami/amigo/web"
)

// Options shape the synthetic fleet. The zero value is valid.
type Options struct {
	Meters int       // 24 if zero
	Days   int       // days of 1-minute load profile before Now; 2 if zero
	Now    time.Time // the fixed clock; 2026-11-25T12:00:00Z if zero
	// StepDelay is the time between a job's steps (queued → running →
	// done), so that a person or a browser can watch progress; 0 runs
	// jobs to completion at once.
	StepDelay time.Duration
	Seed      uint64
	Logger    *slog.Logger
}

// Backend is a synthetic AMI behind the web API. It owns a real meta.DB
// (SQLite) and a real pebble store under a directory, and fakes the
// head-end (status, commands, jobs, firmware), the MDM (events,
// analytics) and the meters' NILM and power-quality captures.
type Backend struct {
	Meta   *meta.DB
	Store  *pebble.DB
	Hub    *web.Hub
	Fleet  *Fleet
	Head   *Head
	MDM    *MDM
	Meters []store.MeterID // ids of the synthetic meters, ascending
	// Tokens holds one valid token per role.
	Tokens map[meta.Role]string
	Now    func() time.Time
}

// New creates the fleet under dir (which must exist and be empty).
func New(ctx context.Context, dir string, o Options) (*Backend, error) {
	if o.Meters == 0 {
		o.Meters = 24
	}
	if o.Days == 0 {
		o.Days = 2
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	now := func() time.Time { return o.Now }
	md, err := meta.OpenSQLite(ctx, filepath.Join(dir, "meta.db"), meta.Config{Logger: o.Logger, Now: now})
	if err != nil {
		return nil, err
	}
	st, err := pebble.Open(ctx, filepath.Join(dir, "readings"), pebble.Options{Logger: o.Logger, CacheSize: 8 << 20, NoSync: true})
	if err != nil {
		return nil, errors.Join(err, md.Close())
	}
	b := &Backend{Meta: md, Store: st, Hub: web.NewHub(web.HubConfig{}), Tokens: map[meta.Role]string{}, Now: now}
	b.Fleet = &Fleet{meta: md, status: map[store.MeterID]*web.MeterStatus{}}
	b.Head = newHead(b, o.StepDelay)
	b.MDM = &MDM{b: b, seed: o.Seed}
	if err := b.seed(ctx, o); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return b, nil
}

// Close runs the jobs in flight to their end and closes the stores.
func (b *Backend) Close() error {
	b.Head.finish()
	return errors.Join(b.Store.Close(), b.Meta.Close())
}

// Config returns a web.Config wired to the backend, listening on
// 127.0.0.1:0.
func (b *Backend) Config() web.Config {
	return web.Config{
		Listen: "127.0.0.1:0", Now: b.Now, Hub: b.Hub,
		Auth: b.Meta, Audit: b.Meta, Users: b.Meta, Alarms: b.Meta, Bills: b.Meta,
		Fleet: b.Fleet, Readings: b.Store, Commands: b.Head, Jobs: b.Head, Campaigns: b.Head,
		Events: b.MDM, Analytics: b.MDM, NILM: b.MDM, PowerQuality: b.MDM,
	}
}

var groups = []string{"north-feeder", "river-district", "old-town", "industrial-park"}

// seed creates users, meters, readings, bills and alarms.
func (b *Backend) seed(ctx context.Context, o Options) error {
	for _, role := range []meta.Role{meta.RoleViewer, meta.RoleOperator, meta.RoleAdmin} {
		id, err := b.Meta.CreateUser(ctx, meta.User{Name: string(role), Role: role})
		if err != nil {
			return err
		}
		tok, _, err := b.Meta.IssueToken(ctx, "system", id, "webtest", 30*24*time.Hour)
		if err != nil {
			return err
		}
		b.Tokens[role] = tok
	}
	tariff, err := b.Meta.CreateTariff(ctx, meta.Tariff{Name: "Residential TOU", Currency: "EUR", Definition: []byte(`{"tiers":[]}`)})
	if err != nil {
		return err
	}
	classes := []string{"1", "1", "0.5S", "1", "2", "0.5S", "1", "0.2S"}
	rng := rand.New(rand.NewPCG(o.Seed, 0x616d69676f))
	for i := range o.Meters {
		m := meta.Meter{
			Serial: fmt.Sprintf("AMG%08d", 1000+i), Address: fmt.Sprintf("127.0.0.1:%d", 20000+i), Group: groups[i%len(groups)],
			TariffID: tariff, Firmware: "1.4.2", AccuracyClass: classes[i%len(classes)], InstalledAt: o.Now.AddDate(-2, 0, -i),
		}
		id, err := b.Meta.CreateMeter(ctx, m)
		if err != nil {
			return err
		}
		b.Meters = append(b.Meters, id)
		b.Fleet.status[id] = initialStatus(i, o.Now, rng)
		if err := b.seedReadings(ctx, id, i, o, rng); err != nil {
			return err
		}
		if err := b.seedBills(ctx, id, i, o.Now); err != nil {
			return err
		}
	}
	return b.seedAlarms(ctx, o.Now)
}

func initialStatus(i int, now time.Time, rng *rand.Rand) *web.MeterStatus {
	s := &web.MeterStatus{Comms: web.CommsOnline, Supply: web.SupplyConnected, LastSeen: now.Add(-time.Duration(rng.IntN(900)) * time.Second), CommsSuccess: 0.97 + 0.03*rng.Float64()}
	switch {
	case i%11 == 5:
		s.Comms, s.LastSeen, s.CommsSuccess = web.CommsOffline, now.Add(-30*time.Hour), 0
	case i%13 == 7:
		s.Supply = web.SupplyDisconnected
	case i%9 == 4:
		s.CommsSuccess = 0.82
	}
	if i%3 == 2 {
		s.Credit = &web.Credit{Balance: int64(5+rng.IntN(60)) * 1_000_000, Currency: "EUR", Updated: now.Add(-time.Hour)}
	}
	return s
}

// load returns a household's active power in W at minute m of the day:
// a base load, a morning and an evening peak, and appliance bursts.
func load(minute int, house int, rng *rand.Rand) float64 {
	h := float64(minute) / 60
	base := 180 + 40*float64(house%5)
	morning := 900 * math.Exp(-math.Pow((h-7.5)/1.0, 2))
	evening := 1500 * math.Exp(-math.Pow((h-19.5)/1.6, 2))
	fridge := 0.0
	if minute%45 < 15 {
		fridge = 120
	}
	burst := 0.0
	if rng.IntN(400) == 0 {
		burst = 2000
	}
	return base + morning + evening + fridge + burst + 30*rng.NormFloat64()
}

// seedReadings writes o.Days of 1-minute A+ register values, 15-minute
// voltage and 1-minute active power for one meter.
func (b *Backend) seedReadings(ctx context.Context, id store.MeterID, house int, o Options, rng *rand.Rand) error {
	end := o.Now.Truncate(time.Minute)
	start := end.Add(-time.Duration(o.Days) * 24 * time.Hour)
	var batch []store.Reading
	energy := float64(12_000_000 + house*137_000) // Wh on the register at start
	for t := start; t.Before(end); t = t.Add(time.Minute) {
		minute := t.Hour()*60 + t.Minute()
		p := max(load(minute, house, rng), 0)
		energy += p / 60
		ms := t.UnixMilli()
		batch = append(batch,
			store.Reading{Meter: id, Channel: store.ActiveImport, Time: ms, Value: int64(energy), Quality: store.Valid},
			store.Reading{Meter: id, Channel: store.Channel{1, 0, 1, 7, 0, 255}, Time: ms, Value: int64(p), Quality: store.Valid},
		)
		if t.Minute()%15 == 0 {
			u := 2300 + 40*math.Sin(2*math.Pi*float64(minute)/1440) - p/40 + 5*rng.NormFloat64()
			batch = append(batch, store.Reading{Meter: id, Channel: store.Channel{1, 0, 32, 7, 0, 255}, Time: ms, Value: int64(u), Quality: store.Valid})
		}
	}
	_, err := b.Store.Append(ctx, batch)
	return err
}

func (b *Backend) seedBills(ctx context.Context, id store.MeterID, house int, now time.Time) error {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for k := 3; k >= 1; k-- {
		from, to := first.AddDate(0, -k, 0), first.AddDate(0, -k+1, 0)
		days := int64(to.Sub(from) / (24 * time.Hour))
		peak := int64(180_000 + 9_000*house + 11_000*k)
		off := peak * 3 / 4
		lines := []meta.BillLine{
			{Description: "Energy, peak (T1)", Quantity: peak, Unit: "Wh", UnitPrice: 310, Amount: peak * 310},
			{Description: "Energy, off-peak (T2)", Quantity: off, Unit: "Wh", UnitPrice: 190, Amount: off * 190},
			{Description: "Standing charge", Quantity: days, Unit: "day", UnitPrice: 420_000, Amount: days * 420_000},
		}
		var total int64
		for _, l := range lines {
			total += l.Amount
		}
		if _, err := b.Meta.CreateBill(ctx, meta.Bill{Meter: id, From: from, To: to, Currency: "EUR", Total: total, Status: meta.BillIssued, Lines: lines}); err != nil {
			return err
		}
	}
	return nil
}

func (b *Backend) seedAlarms(ctx context.Context, now time.Time) error {
	alarms := []meta.Alarm{
		{Kind: "tamper", Severity: "critical", Message: "terminal cover opened"},
		{Kind: "last-gasp", Severity: "warning", Message: "power outage reported before loss of comms"},
		{Kind: "load-deviation", Severity: "warning", Message: "night-time load 3.1× the 30-day median"},
		{Kind: "voltage-sag", Severity: "info", Message: "L1 below 207 V for 4 minutes"},
		{Kind: "comms-lost", Severity: "warning", Message: "no answer for 30 hours"},
	}
	for i, a := range alarms {
		a.Meter = b.Meters[(i*5+5)%len(b.Meters)]
		a.RaisedAt = now.Add(-time.Duration(i*97+13) * time.Minute)
		id, err := b.Meta.RaiseAlarm(ctx, a)
		if err != nil {
			return err
		}
		if i == 3 {
			if err := b.Meta.ClearAlarm(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}
