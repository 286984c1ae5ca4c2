package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store/meta"
)

// mdmDataDir makes a data directory with one meter (serial M1) on a flat
// tariff of 0.50 per kWh.
func mdmDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	md, err := meta.OpenSQLite(ctx, filepath.Join(dir, "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer md.Close()
	tid, err := md.CreateTariff(ctx, meta.Tariff{Name: "flat", Currency: "EUR", Definition: []byte(`{"zone": "UTC", "periods": [{"name": "all", "price": "0.50"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := md.CreateMeter(ctx, meta.Meter{Serial: "M1", TariffID: tid}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// hourlyCSV is a register of M1 every hour of March 2024, 1 kWh an hour.
func hourlyCSV(t *testing.T) string {
	var b strings.Builder
	b.WriteString("meter,channel,time,value,quality\n")
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for h := 0; h <= 31*24; h++ {
		fmt.Fprintf(&b, "M1,1.0.1.8.0.255,%s,%d,\n", start.Add(time.Duration(h)*time.Hour).Format(time.RFC3339), 1000*h)
	}
	f := filepath.Join(t.TempDir(), "march.csv")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMDMImportBillExport(t *testing.T) {
	dir := mdmDataDir(t)
	csvFile := hourlyCSV(t)
	out, err := amigo(t, "", "mdm", "import", "--data", dir, csvFile)
	if err != nil || !strings.Contains(out, "745 readings imported (745 new, 0 duplicates") {
		t.Fatalf("import: %q, %v", out, err)
	}
	out, err = amigo(t, "", "mdm", "bill", "--data", dir, "--month", "2024-03", "--interval", "1h", "--json")
	if err != nil {
		t.Fatalf("bill: %v\n%s", err, out)
	}
	var bills []struct {
		Serial, Outcome, Total, Currency string
		Version                          int
	}
	if err := json.Unmarshal([]byte(out), &bills); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	// 744 h × 1 kWh × 0.50 = 372.00
	if len(bills) != 1 || bills[0].Serial != "M1" || bills[0].Outcome != "created" || bills[0].Total != "372.00" || bills[0].Currency != "EUR" || bills[0].Version != 1 {
		t.Errorf("bills %+v", bills)
	}
	out, err = amigo(t, "", "mdm", "bill", "--data", dir, "--month", "2024-03", "--interval", "1h")
	if err != nil || !strings.Contains(out, "unchanged") {
		t.Errorf("billing again: %q, %v", out, err)
	}
	out, err = amigo(t, "", "mdm", "export", "--data", dir, "--format", "csv", "--from", "2024-03-01", "--to", "2024-03-01T02:00:00Z")
	if err != nil || out != "meter,channel,time,value,quality\nM1,1.0.1.8.0.255,2024-03-01T00:00:00Z,0,actual\nM1,1.0.1.8.0.255,2024-03-01T01:00:00Z,1000,actual\nM1,1.0.1.8.0.255,2024-03-01T02:00:00Z,2000,actual\n" {
		t.Errorf("export: %q, %v", out, err)
	}
	for _, format := range []string{"cim", "espi"} {
		out, err = amigo(t, "", "mdm", "export", "--data", dir, "--format", format, "--interval", "1h", "--from", "2024-03-01", "--to", "2024-03-02")
		if err != nil || !strings.HasPrefix(out, "<?xml") || strings.Count(out, "<value>") < 24 {
			t.Errorf("export %s: %d bytes, %v", format, len(out), err)
		}
	}
	out, err = amigo(t, "", "mdm", "vee", "--data", dir, "--from", "2024-03-01", "--to", "2024-04-01", "--interval", "1h", "--json")
	if err != nil || !strings.Contains(out, `"Marked": 745`) {
		t.Errorf("vee: %q, %v", out, err)
	}
}

func TestMDMBadInput(t *testing.T) {
	dir := mdmDataDir(t)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("meter,channel,time,value\nM1,1.0.1.8.0.255,2024-03-01T00:00:00Z,1\nM2,1.0.1.8.0.255,2024-03-01T01:00:00Z,2\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"mdm", "import", "--data", dir, bad}, bad + ": 1 bad lines, nothing imported"},
		{[]string{"mdm", "import", dir}, "--data DIR is required"},
		{[]string{"mdm", "bill", "--data", dir, "--month", "March"}, `--month "March": want YYYY-MM`},
		{[]string{"mdm", "export", "--data", dir, "--format", "pdf", "--from", "2024-03-01", "--to", "2024-03-02"}, `--format "pdf"`},
		{[]string{"mdm", "export", "--data", dir, "--from", "yesterday", "--to", "2024-03-02"}, `--from "yesterday"`},
		{[]string{"mdm", "export", "--data", dir, "--serial", "NOPE", "--from", "2024-03-01", "--to", "2024-03-02"}, "meter NOPE"},
		{[]string{"mdm", "plan", "--lot", "1000", "--aql", "7"}, `--lot 1000 --aql 7`},
	}
	for _, c := range cases {
		_, err := amigo(t, "", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("amigo %s: %v, want a one-line error containing %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	out, err := amigo(t, "", "mdm", "bill", "--data", dir, "--month", "2024-05")
	if err == nil || !strings.Contains(out, "not billed") {
		t.Errorf("billing a month without readings: %q, %v", out, err)
	}
}
