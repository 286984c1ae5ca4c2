package meter

import (
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/journal"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/profile"
	"github.com/amigo-ami/amigo/metrology"
)

func openJournal(t *testing.T, dir string) *journal.Journal {
	t.Helper()
	j, err := journal.Open(dir, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// reopen builds a new meter (and a new metrology accumulator starting at
// zero, as a restarted process has) on the same state directory.
func (r *rig) reopen(cfg Config, dir string) {
	r.t.Helper()
	acc, err := metrology.NewAccumulator(metrology.EnergyConfig{Start: r.now, FreezePeriods: []time.Duration{}})
	if err != nil {
		r.t.Fatal(err)
	}
	if cfg.Serial == "" {
		cfg.Serial = "0000000001"
	}
	m, err := New(cfg, acc.View(), r.now, Options{Journal: openJournal(r.t, dir), SnapshotEvery: 50})
	if err != nil {
		r.t.Fatal(err)
	}
	r.acc, r.m = acc, m
}

func TestRestartRestoresEverything(t *testing.T) {
	dir := t.TempDir()
	cfg := prepayConfig(6)
	cfg.Calendar = touConfig().Calendar
	r := newRig(t, cfg, Options{})
	r.reopen(cfg, dir) // journaled from the start
	if _, err := r.m.TopUp(prepay.MakeToken(cfg.Prepay.TokenKey, "0000000001", 1, 50e9)); err != nil {
		t.Fatal(err)
	}
	r.load = watts(3600)
	r.run(2*time.Hour, 10*time.Second) // across 07:00: both tariffs, lp entries, records and snapshots
	before := r.m.Energy()
	acct, _ := r.m.Account()
	var lpBefore [][]int64
	r.m.Read(LP15, func(p *profile.Profile) {
		for i := range p.Len() {
			lpBefore = append(lpBefore, p.Row(i, nil))
		}
	})
	stdBefore := r.m.Events(eventlog.Standard)

	r.now = r.now.Add(time.Minute) // down for a minute
	r.reopen(cfg, dir)
	after := r.m.Energy()
	if after != before {
		t.Fatalf("registers after restart\n%+v\nwant\n%+v", after, before)
	}
	if a, _ := r.m.Account(); a.Available() != acct.Available() || a.Window != acct.Window || a.Paid != acct.Paid {
		t.Fatalf("account after restart: available %v (was %v)", a.Available(), acct.Available())
	}
	if _, err := r.m.TopUp(prepay.MakeToken(cfg.Prepay.TokenKey, "0000000001", 1, 50e9)); err == nil {
		t.Fatal("token replayed after a restart")
	}
	var lpAfter [][]int64
	r.m.Read(LP15, func(p *profile.Profile) {
		for i := range p.Len() {
			lpAfter = append(lpAfter, p.Row(i, nil))
		}
	})
	if !slices.EqualFunc(lpAfter, lpBefore, slices.Equal) {
		t.Fatalf("load profile after restart: %d rows, was %d", len(lpAfter), len(lpBefore))
	}
	std := r.m.Events(eventlog.Standard)
	if !slices.Equal(std[:len(stdBefore)], stdBefore) {
		t.Fatal("standard log changed")
	}
	tail := codes(std[len(stdBefore):])
	if !slices.Equal(tail, []eventlog.Code{eventlog.PowerDown, eventlog.PowerUp}) {
		t.Fatalf("events after restart %v", tail)
	}
	if r.m.Tariff() != 1 {
		t.Fatalf("tariff %d", r.m.Tariff())
	}
	// Counting goes on from the restored registers.
	r.run(time.Hour, 10*time.Second)
	if got := r.m.Energy().Total[energy.ActiveImport]; got != before.Total[energy.ActiveImport]+3600 {
		t.Fatalf("after another hour %d, want %d", got, before.Total[energy.ActiveImport]+3600)
	}
}

func TestSettingsPersist(t *testing.T) {
	dir := t.TempDir()
	r := newRig(t, Config{}, Options{})
	r.reopen(Config{}, dir)
	r.m.SetPassiveCalendar(touConfig().Calendar.Active, monday6.Add(time.Hour))
	r.reopen(Config{}, dir)
	a, _ := r.m.Activity()
	if a.Passive.Name != "TOU" || !a.ActivateAt.Equal(monday6.Add(time.Hour)) {
		t.Fatalf("passive calendar not restored: %+v", a.Passive.Name)
	}
}

func TestForeignStateRefused(t *testing.T) {
	dir := t.TempDir()
	r := newRig(t, Config{}, Options{})
	r.reopen(Config{}, dir)
	r.m.Flush()
	acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{})
	if _, err := New(Config{Serial: "other"}, acc.View(), r.now, Options{Journal: openJournal(t, dir)}); err == nil {
		t.Fatal("another meter's state loaded")
	}
}
