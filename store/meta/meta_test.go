package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// clock is an injected time source tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// engine is a database the tests run meta on: url returns the URL of a
// new, empty database of it, for Open. engines (engines_test.go, or
// postgres_test.go under the postgres build tag) lists them; every test
// here runs on each.
type engine struct {
	name string
	url  func(t *testing.T) string
}

var sqliteEngine = engine{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "meta.db") }}

// forEach runs test on every engine as a subtest.
func forEach(t *testing.T, test func(t *testing.T, e engine)) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) { test(t, e) })
	}
}

func openTest(t *testing.T, e engine) (*DB, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
	d, err := Open(context.Background(), e.url(t), Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, clk
}

func TestMigrate(t *testing.T) { forEach(t, testMigrate) }

func testMigrate(t *testing.T, e engine) {
	ctx := context.Background()
	url := e.url(t)
	d, err := Open(ctx, url, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := d.db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != SchemaVersion() {
		t.Errorf("schema version %d (%v), want %d", version, err, SchemaVersion())
	}
	d.Close()
	// Reopening applies nothing twice.
	if d, err = Open(ctx, url, Config{}); err != nil {
		t.Fatalf("reopening: %v", err)
	}
	var n int
	if err := d.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations) {
		t.Errorf("%d migrations recorded (%v), want %d", n, err, len(migrations))
	}
	if _, err := d.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := Open(ctx, url, Config{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("opening a newer schema: %v, want ErrInvalid", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	d, _ := openTest(t, sqliteEngine)
	var mode string
	var fk int
	if err := d.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	if err := d.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
}

func TestOpenURL(t *testing.T) {
	for _, url := range []string{"mysql://u:secret@h/db", "meta.db", "file:meta.db"} {
		_, err := Open(context.Background(), url, Config{})
		if !errors.Is(err, ErrInvalid) || strings.Contains(fmt.Sprint(err), "secret") {
			t.Errorf("Open(%q): %v, want ErrInvalid without the password", url, err)
		}
	}
	_, err := Open(context.Background(), "postgres://u:secret@127.0.0.1:1/db?connect_timeout=1", Config{})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open of an unreachable PostgreSQL: %v, want an error without the password", err)
	}
}

func TestStatements(t *testing.T) {
	got := statements("-- a comment\nCREATE TABLE a (\n x INT\n);\nCREATE INDEX i ON a (x);\n")
	want := []string{"CREATE TABLE a (\n x INT\n)", "CREATE INDEX i ON a (x)"}
	if !slices.Equal(got, want) {
		t.Errorf("statements = %q, want %q", got, want)
	}
}

func TestMeters(t *testing.T) { forEach(t, testMeters) }

func testMeters(t *testing.T, e engine) {
	ctx := context.Background()
	d, clk := openTest(t, e)
	installed := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	m := Meter{Serial: "AMG00000001", Address: "127.0.0.1:4059", KeysRef: "demo", Group: "feeder-7",
		Firmware: "1.2.0", AccuracyClass: "0.5S", InstalledAt: installed}
	id, err := d.CreateMeter(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if id != 1 {
		t.Errorf("first meter id %d, want 1", id)
	}
	m.ID, m.CreatedAt, m.UpdatedAt = id, clk.Now(), clk.Now()
	for _, get := range []func() (Meter, error){
		func() (Meter, error) { return d.Meter(ctx, id) },
		func() (Meter, error) { return d.MeterBySerial(ctx, "AMG00000001") },
	} {
		if got, err := get(); err != nil || got != m {
			t.Errorf("meter = %+v (%v), want %+v", got, err, m)
		}
	}
	tests := []struct {
		name string
		m    Meter
		want error
	}{
		{"duplicate serial", Meter{Serial: "AMG00000001"}, ErrExists},
		{"empty serial", Meter{}, ErrInvalid},
		{"unknown accuracy class", Meter{Serial: "X", AccuracyClass: "0.3"}, ErrInvalid},
		{"missing tariff", Meter{Serial: "Y", TariffID: 42}, ErrNotFound},
	}
	for _, tt := range tests {
		if _, err := d.CreateMeter(ctx, tt.m); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := d.Meter(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("meter 99: %v, want ErrNotFound", err)
	}
	clk.advance(time.Hour)
	tariff, err := d.CreateTariff(ctx, Tariff{Name: "residential", Currency: "CNY", Definition: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	m.TariffID, m.Firmware, m.UpdatedAt = tariff, "1.3.0", clk.Now()
	if err := d.UpdateMeter(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Meter(ctx, id); got != m {
		t.Errorf("after update %+v, want %+v", got, m)
	}
	if err := d.UpdateMeter(ctx, Meter{ID: 99, Serial: "Z"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("updating meter 99: %v, want ErrNotFound", err)
	}
	// The ids of meters 1…6 by creation; even serials on feeder-7, odd on
	// feeder-8.
	created := []store.MeterID{0, id}
	for i := 2; i <= 6; i++ {
		group := []string{"feeder-7", "feeder-8"}[i%2]
		mid, err := d.CreateMeter(ctx, Meter{Serial: fmt.Sprintf("AMG%08d", i), Group: group})
		if err != nil {
			t.Fatal(err)
		}
		if mid <= created[i-1] {
			t.Errorf("meter %d got id %d, not above the previous %d", i, mid, created[i-1])
		}
		created = append(created, mid)
	}
	ids := func(ms []Meter) []store.MeterID {
		var out []store.MeterID
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	pick := func(ns ...int) []store.MeterID {
		var out []store.MeterID
		for _, n := range ns {
			out = append(out, created[n])
		}
		return out
	}
	// Failed inserts consume no ids in SQLite, so there the 5 created
	// after meter 1 are 2…6; a PostgreSQL sequence moves on a failed
	// insert too. Ids only promise to be unique and increasing.
	if e.name == "sqlite" && !slices.Equal(created[1:], []store.MeterID{1, 2, 3, 4, 5, 6}) {
		t.Errorf("SQLite ids %v, want 1…6", created[1:])
	}
	if got := ids(mustMeters(t, d, MeterFilter{})); !slices.Equal(got, pick(1, 2, 3, 4, 5, 6)) {
		t.Errorf("all meters %v, want %v", got, pick(1, 2, 3, 4, 5, 6))
	}
	if got := ids(mustMeters(t, d, MeterFilter{Group: "feeder-7"})); !slices.Equal(got, pick(1, 2, 4, 6)) {
		t.Errorf("feeder-7 %v, want %v", got, pick(1, 2, 4, 6))
	}
	if got := ids(mustMeters(t, d, MeterFilter{Group: "feeder-8", Limit: 1})); !slices.Equal(got, pick(3)) {
		t.Errorf("first of feeder-8 %v, want %v", got, pick(3))
	}
	if got := ids(mustMeters(t, d, MeterFilter{AfterID: created[4]})); !slices.Equal(got, pick(5, 6)) {
		t.Errorf("after meter 4 %v, want %v", got, pick(5, 6))
	}
}

func mustMeters(t *testing.T, d *DB, f MeterFilter) []Meter {
	t.Helper()
	ms, err := d.Meters(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestKeys(t *testing.T) { forEach(t, testKeys) }

func testKeys(t *testing.T, e engine) {
	ctx := context.Background()
	var logs bytes.Buffer
	clk := &clock{t: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
	d, err := Open(ctx, e.url(t), Config{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Green Book example keys (ARCHITECTURE §4).
	guek := NewSecret([]byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f})
	gak := NewSecret([]byte{0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf})
	if err := d.SetKey(ctx, "admin", "demo", KeyEncryption, guek); err != nil {
		t.Fatal(err)
	}
	if err := d.SetKey(ctx, "admin", "demo", KeyAuthentication, guek); err != nil {
		t.Fatal(err)
	}
	if err := d.SetKey(ctx, "admin", "demo", KeyAuthentication, gak); err != nil { // replaces
		t.Fatal(err)
	}
	for kind, want := range map[string]Secret{KeyEncryption: guek, KeyAuthentication: gak} {
		got, err := d.Key(ctx, "demo", kind)
		if err != nil || !got.Equal(want) || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("key %s: err %v, equal %v", kind, err, got.Equal(want))
		}
	}
	if kinds, err := d.KeyKinds(ctx, "demo"); err != nil || !slices.Equal(kinds, []string{KeyAuthentication, KeyEncryption}) {
		t.Errorf("kinds %q (%v)", kinds, err)
	}
	if _, err := d.Key(ctx, "demo", KeyMaster); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: %v, want ErrNotFound", err)
	}
	if err := d.SetKey(ctx, "admin", "demo", KeyMaster, Secret{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty material: %v, want ErrInvalid", err)
	}
	// The material shows nowhere: not in the audit log, the logs, or any
	// formatting of the secret.
	log, err := d.AuditLog(ctx, AuditFilter{})
	if err != nil || len(log) != 3 || log[2].Action != "key.set" || log[2].Target != "demo/gak" || log[2].Actor != "admin" {
		t.Fatalf("audit log %+v (%v)", log, err)
	}
	var shown bytes.Buffer
	fmt.Fprintf(&shown, "%v %+v %#v %s %x %X %q %d", gak, gak, gak, gak, gak, gak, gak, gak)
	j, _ := json.Marshal(map[string]any{"k": gak})
	shown.Write(j)
	slog.New(slog.NewJSONHandler(&shown, nil)).Info("key", "k", gak)
	slog.New(slog.NewTextHandler(&shown, nil)).Info("key", "k", gak)
	fmt.Fprint(&shown, log)
	shown.Write(logs.Bytes())
	for _, leak := range []string{"d0d1d2", "D0D1D2", "0xd0", "208 209", "\xd0\xd1", "0001020304", "0x0"} {
		if strings.Contains(shown.String(), leak) {
			t.Errorf("key material %q shown in %q", leak, shown.String())
		}
	}
	if !strings.Contains(shown.String(), "[secret]") {
		t.Errorf("redaction marker missing from %q", shown.String())
	}
}

func TestTariffs(t *testing.T) { forEach(t, testTariffs) }

func testTariffs(t *testing.T, e engine) {
	ctx := context.Background()
	d, _ := openTest(t, e)
	def := json.RawMessage(`{"tiers":[{"upto_kwh":200,"price":0.5}]}`)
	id, err := d.CreateTariff(ctx, Tariff{Name: "ladder", Currency: "CNY", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Tariff(ctx, id)
	if err != nil || got.Name != "ladder" || string(got.Definition) != string(def) {
		t.Errorf("tariff %+v (%v)", got, err)
	}
	for name, tt := range map[string]struct {
		t    Tariff
		want error
	}{
		"duplicate name":      {Tariff{Name: "ladder", Currency: "CNY", Definition: def}, ErrExists},
		"bad currency":        {Tariff{Name: "x", Currency: "yuan", Definition: def}, ErrInvalid},
		"definition not JSON": {Tariff{Name: "y", Currency: "EUR", Definition: json.RawMessage(`{`)}, ErrInvalid},
	} {
		if _, err := d.CreateTariff(ctx, tt.t); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
	got.Currency = "EUR"
	if err := d.UpdateTariff(ctx, got); err != nil {
		t.Fatal(err)
	}
	all, err := d.Tariffs(ctx)
	if err != nil || len(all) != 1 || all[0].Currency != "EUR" {
		t.Errorf("tariffs %+v (%v)", all, err)
	}
}

// TestSortedByBytes: names list in byte order on every engine, whatever
// the PostgreSQL server's locale.
func TestSortedByBytes(t *testing.T) { forEach(t, testSortedByBytes) }

func testSortedByBytes(t *testing.T, e engine) {
	ctx := context.Background()
	d, _ := openTest(t, e)
	names := []string{"b", "B", "a", "Ä", "_"}
	for _, n := range names {
		if _, err := d.CreateTariff(ctx, Tariff{Name: n, Currency: "EUR", Definition: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if err := d.SetKey(ctx, "admin", "set", n, NewSecret([]byte{1})); err != nil {
			t.Fatal(err)
		}
	}
	want := slices.Sorted(slices.Values(names))
	tariffs, err := d.Tariffs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range tariffs {
		got = append(got, tr.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("tariffs %q, want %q", got, want)
	}
	if kinds, err := d.KeyKinds(ctx, "set"); err != nil || !slices.Equal(kinds, want) {
		t.Errorf("key kinds %q (%v), want %q", kinds, err, want)
	}
}

func TestBills(t *testing.T) { forEach(t, testBills) }

func testBills(t *testing.T, e engine) {
	ctx := context.Background()
	d, _ := openTest(t, e)
	m1, _ := d.CreateMeter(ctx, Meter{Serial: "A"})
	m2, _ := d.CreateMeter(ctx, Meter{Serial: "B"})
	may, june := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	lines := []BillLine{
		{Description: "energy tier 1", Quantity: 200_000, Unit: "Wh", UnitPrice: 488, Amount: 97_600_000},
		{Description: "standing charge", Quantity: 31, Unit: "day", UnitPrice: 100_000, Amount: 3_100_000},
	}
	b := Bill{Meter: m1, From: may, To: june, Currency: "CNY", Total: 100_700_000, Status: BillIssued, Lines: lines}
	id, err := d.CreateBill(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Bill(ctx, id)
	if err != nil || got.Total != b.Total || !slices.Equal(got.Lines, lines) || got.Status != BillIssued || !got.From.Equal(may) {
		t.Errorf("bill %+v (%v)", got, err)
	}
	bad := b
	bad.Total++
	if _, err := d.CreateBill(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("total off by one: %v, want ErrInvalid", err)
	}
	// A re-bill replaces the bill and marks it superseded.
	re := b
	re.Lines = lines[:1]
	re.Total, re.Supersedes = lines[0].Amount, id
	reID, err := d.CreateBill(ctx, re)
	if err != nil {
		t.Fatal(err)
	}
	bills, err := d.Bills(ctx, m1, may, june)
	if err != nil || len(bills) != 2 || bills[0].Status != BillSuperseded || bills[1].ID != reID || bills[1].Supersedes != id {
		t.Errorf("bills after re-bill %+v (%v)", bills, err)
	}
	// A re-bill must replace a live bill of the same meter.
	wrong := re
	wrong.Meter = m2
	if _, err := d.CreateBill(ctx, wrong); !errors.Is(err, ErrNotFound) {
		t.Errorf("re-bill of another meter's bill: %v, want ErrNotFound", err)
	}
	if bills, _ := d.Bills(ctx, m2, may, june); len(bills) != 0 {
		t.Errorf("the failed re-bill left %+v", bills)
	}
	if _, err := d.CreateBill(ctx, re); !errors.Is(err, ErrNotFound) {
		t.Errorf("re-billing a superseded bill: %v, want ErrNotFound", err)
	}
	if _, err := d.Bill(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("bill 999: %v, want ErrNotFound", err)
	}
}

func TestCreateBills(t *testing.T) { forEach(t, testCreateBills) }

func testCreateBills(t *testing.T, e engine) {
	ctx := context.Background()
	d, _ := openTest(t, e)
	m1, _ := d.CreateMeter(ctx, Meter{Serial: "A"})
	m2, _ := d.CreateMeter(ctx, Meter{Serial: "B"})
	m3, _ := d.CreateMeter(ctx, Meter{Serial: "C"})
	may, june := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	bill := func(m store.MeterID, amounts ...int64) Bill {
		b := Bill{Meter: m, From: may, To: june, Currency: "CNY", Status: BillDraft}
		for i, a := range amounts {
			b.Lines = append(b.Lines, BillLine{Description: fmt.Sprintf("line %d", i), Quantity: 1, Unit: "day", UnitPrice: a, Amount: a})
			b.Total += a
		}
		return b
	}
	old, err := d.CreateBill(ctx, bill(m1, 5))
	if err != nil {
		t.Fatal(err)
	}
	// All of a batch or nothing: a re-bill of a bill that is not live, two
	// re-bills of one bill, an invalid bill.
	notLive := bill(m2, 7)
	notLive.Supersedes = old // m1's bill, not m2's
	twice1, twice2 := bill(m1, 8), bill(m1, 9)
	twice1.Supersedes, twice2.Supersedes = old, old
	invalid := bill(m3, 1)
	invalid.Total = 2
	for _, tt := range []struct {
		name  string
		batch []Bill
		want  error
	}{
		{"re-bill of another meter's bill", []Bill{bill(m3, 1), notLive}, ErrNotFound},
		{"two re-bills of one bill", []Bill{bill(m3, 1), twice1, twice2}, ErrNotFound},
		{"an invalid bill", []Bill{bill(m2, 1), invalid}, ErrInvalid},
	} {
		if ids, err := d.CreateBills(ctx, tt.batch); !errors.Is(err, tt.want) || ids != nil {
			t.Errorf("%s: ids %v, error %v, want %v", tt.name, ids, err, tt.want)
		}
	}
	for _, m := range []store.MeterID{m2, m3} {
		if bills, err := d.Bills(ctx, m, may, june); err != nil || len(bills) != 0 {
			t.Errorf("meter %d after failed batches: %+v (%v), want none", m, bills, err)
		}
	}
	if ids, err := d.CreateBills(ctx, nil); err != nil || len(ids) != 0 {
		t.Errorf("an empty batch: %v (%v)", ids, err)
	}
	re := bill(m1, 6, 4)
	re.Supersedes = old
	batch := []Bill{bill(m2, 3, 4), re, bill(m3, 2)}
	ids, err := d.CreateBills(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0] <= old || ids[1] <= ids[0] || ids[2] <= ids[1] {
		t.Fatalf("ids %v after bill %d, want three increasing", ids, old)
	}
	for i, id := range ids {
		got, err := d.Bill(ctx, id)
		want := batch[i]
		if err != nil || got.Meter != want.Meter || got.Total != want.Total || got.Supersedes != want.Supersedes || !slices.Equal(got.Lines, want.Lines) {
			t.Errorf("bill %d: %+v (%v), want %+v", id, got, err, want)
		}
	}
	if got, err := d.Bill(ctx, old); err != nil || got.Status != BillSuperseded {
		t.Errorf("the re-billed bill: %+v (%v), want superseded", got, err)
	}
	// Both versions of meter 1, each with its own lines.
	versions, err := d.Bills(ctx, m1, may, june)
	if err != nil || len(versions) != 2 || versions[0].ID != old || !slices.Equal(versions[0].Lines, bill(m1, 5).Lines) ||
		versions[1].ID != ids[1] || !slices.Equal(versions[1].Lines, re.Lines) {
		t.Errorf("meter 1's bills: %+v (%v), want bill %d with one line and bill %d with two", versions, err, old, ids[1])
	}
}

func TestAlarms(t *testing.T) { forEach(t, testAlarms) }

func testAlarms(t *testing.T, e engine) {
	ctx := context.Background()
	d, clk := openTest(t, e)
	m, _ := d.CreateMeter(ctx, Meter{Serial: "A"})
	a1, err := d.RaiseAlarm(ctx, Alarm{Meter: m, Kind: "load-deviation", Severity: "warning", Message: "42 % above baseline"})
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Minute)
	a2, _ := d.RaiseAlarm(ctx, Alarm{Kind: "disk", Severity: "critical"})
	if _, err := d.RaiseAlarm(ctx, Alarm{Kind: "x", Severity: "loud"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad severity: %v", err)
	}
	if err := d.AcknowledgeAlarm(ctx, a1, "alice"); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Minute)
	if err := d.AcknowledgeAlarm(ctx, a1, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := d.ClearAlarm(ctx, a2); err != nil {
		t.Fatal(err)
	}
	if err := d.ClearAlarm(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("clearing alarm 99: %v", err)
	}
	all, _ := d.Alarms(ctx, AlarmFilter{})
	if len(all) != 2 || all[0].ID != a2 || all[1].ID != a1 {
		t.Fatalf("alarms newest first: %+v", all)
	}
	if a := all[1]; a.AcknowledgedBy != "alice" || !a.AcknowledgedAt.Equal(time.Date(2024, 5, 1, 8, 1, 0, 0, time.UTC)) || !a.ClearedAt.IsZero() {
		t.Errorf("acknowledged alarm %+v: the first acknowledgement stays", a)
	}
	if open, _ := d.Alarms(ctx, AlarmFilter{Open: true}); len(open) != 1 || open[0].ID != a1 {
		t.Errorf("open alarms %+v", open)
	}
	if mine, _ := d.Alarms(ctx, AlarmFilter{Meter: m}); len(mine) != 1 || mine[0].Meter != m {
		t.Errorf("meter's alarms %+v", mine)
	}
	if far, err := d.Alarms(ctx, AlarmFilter{Meter: 1 << 40}); err != nil || len(far) != 0 {
		t.Errorf("alarms of meter 2^40: %+v (%v), want none", far, err)
	}
}

func TestJobs(t *testing.T) { forEach(t, testJobs) }

func testJobs(t *testing.T, e engine) {
	ctx := context.Background()
	d, clk := openTest(t, e)
	now := id64(d.CreateJob(ctx, Job{Kind: "read", Params: json.RawMessage(`{"obis":"1.0.1.8.0.255"}`)}))
	later := id64(d.CreateJob(ctx, Job{Kind: "firmware", DueAt: clk.Now().Add(time.Hour)}))
	if _, err := d.CreateJob(ctx, Job{Kind: "x", Params: json.RawMessage(`nope`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("params not JSON: %v", err)
	}
	j, err := d.ClaimJob(ctx, time.Minute)
	if err != nil || j.ID != now || j.State != JobRunning || j.Attempts != 1 || !j.LeaseUntil.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("claimed %+v (%v)", j, err)
	}
	if _, err := d.ClaimJob(ctx, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("nothing due: %v, want ErrNotFound", err)
	}
	// The lease runs out: the job is claimed again.
	clk.advance(2 * time.Minute)
	j, err = d.ClaimJob(ctx, time.Minute)
	if err != nil || j.ID != now || j.Attempts != 2 {
		t.Errorf("reclaimed %+v (%v)", j, err)
	}
	if err := d.FinishJob(ctx, now, JobDone, "12345 Wh"); err != nil {
		t.Fatal(err)
	}
	if err := d.FinishJob(ctx, now, JobFailed, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("finishing a finished job: %v, want ErrNotFound", err)
	}
	if got, _ := d.Job(ctx, now); got.State != JobDone || got.Result != "12345 Wh" || !got.LeaseUntil.IsZero() {
		t.Errorf("finished job %+v", got)
	}
	clk.advance(time.Hour)
	if j, err := d.ClaimJob(ctx, time.Minute); err != nil || j.ID != later {
		t.Errorf("claimed %+v (%v), want job %d", j, err, later)
	}
	if queued, _ := d.Jobs(ctx, JobFilter{State: JobDone}); len(queued) != 1 || queued[0].ID != now {
		t.Errorf("done jobs %+v", queued)
	}
	if far, err := d.Jobs(ctx, JobFilter{Meter: 1 << 40}); err != nil || len(far) != 0 {
		t.Errorf("jobs of meter 2^40: %+v (%v), want none", far, err)
	}
}

func TestStartJobAndProgress(t *testing.T) { forEach(t, testStartJobAndProgress) }

func testStartJobAndProgress(t *testing.T, e engine) {
	ctx := context.Background()
	d, clk := openTest(t, e)
	id := id64(d.CreateJob(ctx, Job{Kind: "firmware"}))
	other := id64(d.CreateJob(ctx, Job{Kind: "read"}))
	j, err := d.StartJob(ctx, id, time.Minute)
	if err != nil || j.State != JobRunning || j.Attempts != 1 || !j.LeaseUntil.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("started %+v (%v)", j, err)
	}
	if _, err := d.StartJob(ctx, id, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("starting a job running under a live lease: %v, want ErrNotFound", err)
	}
	clk.advance(30 * time.Second)
	if err := d.JobProgress(ctx, id, "wave 1 of 3", 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Job(ctx, id); got.Progress != "wave 1 of 3" || !got.LeaseUntil.Equal(clk.Now().Add(5*time.Minute)) {
		t.Errorf("after progress %+v", got)
	}
	if err := d.JobProgress(ctx, id, "wave 2 of 3", 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Job(ctx, id); got.Progress != "wave 2 of 3" || !got.LeaseUntil.Equal(clk.Now().Add(5*time.Minute)) {
		t.Errorf("progress without lease moved the lease: %+v", got)
	}
	if err := d.JobProgress(ctx, other, "x", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("progress of a queued job: %v, want ErrNotFound", err)
	}
	clk.advance(6 * time.Minute)
	if j, err := d.StartJob(ctx, id, time.Minute); err != nil || j.Attempts != 2 {
		t.Errorf("taking over after the lease ran out: %+v, %v", j, err)
	}
	if err := d.FinishJob(ctx, id, JobDone, "ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.StartJob(ctx, id, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("starting a finished job: %v, want ErrNotFound", err)
	}
	if fw, _ := d.Jobs(ctx, JobFilter{Kind: "firmware"}); len(fw) != 1 || fw[0].ID != id || fw[0].Progress != "wave 2 of 3" {
		t.Errorf("firmware jobs %+v", fw)
	}
}

func TestJobsClaimedOnce(t *testing.T) { forEach(t, testJobsClaimedOnce) }

func testJobsClaimedOnce(t *testing.T, e engine) {
	ctx := context.Background()
	d, _ := openTest(t, e)
	const n = 20
	for range n {
		id64(d.CreateJob(ctx, Job{Kind: "read"}))
	}
	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				j, err := d.ClaimJob(ctx, time.Hour)
				if errors.Is(err, ErrNotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				claimed[j.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d jobs claimed, want %d", len(claimed), n)
	}
	for id, c := range claimed {
		if c != 1 {
			t.Errorf("job %d claimed %d times", id, c)
		}
	}
}

func id64(id int64, err error) int64 {
	if err != nil {
		panic(err)
	}
	return id
}

func TestTokens(t *testing.T) { forEach(t, testTokens) }

func testTokens(t *testing.T, e engine) {
	ctx := context.Background()
	d, clk := openTest(t, e)
	alice := id64(d.CreateUser(ctx, User{Name: "alice", Role: RoleOperator}))
	if _, err := d.CreateUser(ctx, User{Name: "alice", Role: RoleViewer}); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate user: %v", err)
	}
	if _, err := d.CreateUser(ctx, User{Name: "eve", Role: "root"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown role: %v", err)
	}
	if u, err := d.UserByName(ctx, "alice"); err != nil || u.ID != alice || u.Role != RoleOperator {
		t.Errorf("user alice by name: %+v (%v)", u, err)
	}
	if _, err := d.UserByName(ctx, "eve"); !errors.Is(err, ErrNotFound) {
		t.Errorf("user eve by name: %v", err)
	}
	token, tok, err := d.IssueToken(ctx, "admin", alice, "console", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "amigo_") || len(token) != len("amigo_")+43 {
		t.Errorf("token %q: want amigo_ and 43 base64url characters", token)
	}
	u, err := d.Authenticate(ctx, token)
	if err != nil || u.ID != alice || u.Role != RoleOperator {
		t.Errorf("authenticated %+v (%v)", u, err)
	}
	second, _, _ := d.IssueToken(ctx, "admin", alice, "script", time.Hour)
	if second == token {
		t.Error("two tokens are equal")
	}
	for name, bad := range map[string]string{"unknown": "amigo_" + strings.Repeat("A", 43), "no prefix": "x", "empty": "", "truncated": token[:20]} {
		if _, err := d.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s token: %v, want ErrUnauthenticated", name, err)
		}
	}
	clk.advance(2 * time.Hour) // the script token expired
	if _, err := d.Authenticate(ctx, second); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("expired token: %v", err)
	}
	if _, err := d.Authenticate(ctx, token); err != nil {
		t.Errorf("live token: %v", err)
	}
	if err := d.SetUserDisabled(ctx, "admin", alice, true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(ctx, token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("disabled user: %v", err)
	}
	if err := d.SetUserDisabled(ctx, "admin", alice, false); err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeToken(ctx, "admin", tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Authenticate(ctx, token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	toks, err := d.Tokens(ctx, alice)
	if err != nil || len(toks) != 2 || toks[0].RevokedAt.IsZero() || !toks[1].RevokedAt.IsZero() {
		t.Errorf("tokens %+v (%v)", toks, err)
	}
	log, _ := d.AuditLog(ctx, AuditFilter{Actor: "admin"})
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
		if strings.Contains(e.Target+string(e.Detail), token[6:]) {
			t.Errorf("audit entry %+v shows the token", e)
		}
	}
	if want := []string{"token.issue", "token.issue", "user.disable", "user.enable", "token.revoke"}; !slices.Equal(actions, want) {
		t.Errorf("audited %q, want %q", actions, want)
	}
}

func TestAuditLog(t *testing.T) { forEach(t, testAuditLog) }

func testAuditLog(t *testing.T, e engine) {
	ctx := context.Background()
	d, clk := openTest(t, e)
	start := clk.Now()
	for i, actor := range []string{"alice", "bob", "alice", "system"} {
		if _, err := d.Audit(ctx, AuditEntry{Actor: actor, Action: "meter.read", Target: fmt.Sprint(i), Detail: json.RawMessage(`{"n":1}`)}); err != nil {
			t.Fatal(err)
		}
		clk.advance(time.Minute)
	}
	if _, err := d.Audit(ctx, AuditEntry{Actor: "x", Action: "y", Detail: json.RawMessage(`{`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("detail not JSON: %v", err)
	}
	targets := func(f AuditFilter) string {
		log, err := d.AuditLog(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, e := range log {
			s = append(s, e.Target)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		f    AuditFilter
		want string
	}{
		{AuditFilter{}, "0,1,2,3"},
		{AuditFilter{Actor: "alice"}, "0,2"},
		{AuditFilter{Since: start.Add(time.Minute), Until: start.Add(3 * time.Minute)}, "1,2"},
		{AuditFilter{AfterID: 2, Limit: 1}, "2"},
	}
	for _, tt := range tests {
		if got := targets(tt.f); got != tt.want {
			t.Errorf("AuditLog(%+v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}
