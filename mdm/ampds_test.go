package mdm

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/mdm/billing"
	"github.com/amigo-ami/amigo/mdm/ingest"
	"github.com/amigo-ami/amigo/mdm/vee"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
	"github.com/amigo-ami/amigo/store/storetest"
)

// ampdsRow is one line of the AMPds R1 hourly file: the whole house's
// energy (WHE) in the hour ending at End.
type ampdsRow struct {
	End int64 // Unix ms
	Wh  int64
}

// readAMPds reads TimeStamp and WHE straight from the CSV.
func readAMPds(t *testing.T) []ampdsRow {
	t.Helper()
	path := testenv.SharedFile(t, storetest.AMPdsFile)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	ts, whe := -1, -1
	for i, h := range header {
		switch h {
		case "TimeStamp":
			ts = i
		case "WHE":
			whe = i
		}
	}
	var rows []ampdsRow
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		s, err1 := strconv.ParseInt(rec[ts], 10, 64)
		wh, err2 := strconv.ParseInt(rec[whe], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: %v %v", path, line, err1, err2)
		}
		rows = append(rows, ampdsRow{End: s * 1000, Wh: wh})
	}
	return rows
}

// TestAMPdsTwoYears sends the AMPds household (Burnaby, BC) through the
// MDM as a meter would: its whole-house energy as an hourly register, a
// day per message over the bus, into the store; VEE checks it; and each
// of the 24 months from April 2012 is billed on a time-of-use tariff in
// America/Vancouver. Every bill's energy must equal the sum of WHE over
// the hours that start in that local month, computed straight from the
// CSV.
//
// The file has two defects, which VEE must find: two hours of negative
// energy (2012-09-21 15:00 UTC, 2013-10-01 01:00 UTC), which a register
// cannot have, so the bills of September 2012 and September 2013 are held
// (billing.ErrNegative) for an operator; and the hour after each autumn
// DST change is missing (2012-11-04, 2013-11-03), a gap VEE fills with an
// estimate, so the November bills carry estimated energy.
func TestAMPdsTwoYears(t *testing.T) {
	rows := readAMPds(t)
	ctx := t.Context()
	vancouver, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, err := bus.Open(ctx, bus.Config{StateDir: filepath.Join(dir, "bus")})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := pebble.Open(ctx, filepath.Join(dir, "readings"), pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	md, err := meta.OpenSQLite(ctx, filepath.Join(dir, "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer md.Close()
	tid, err := md.CreateTariff(ctx, meta.Tariff{Name: "bc-tou", Currency: "CAD", Definition: []byte(`{"zone": "America/Vancouver",
	 "periods": [{"name": "on-peak", "price": "0.16"}, {"name": "off-peak", "price": "0.11"}, {"name": "overnight", "price": "0.06"}],
	 "seasons": [{"from": "01-01", "days": {"weekday": [{"at": "00:00", "period": "overnight"}, {"at": "07:00", "period": "off-peak"},
	   {"at": "16:00", "period": "on-peak"}, {"at": "21:00", "period": "off-peak"}, {"at": "23:00", "period": "overnight"}]}}],
	 "ladder": [{"up_to_kwh": 675}, {"adder": "0.0311"}], "standing": {"per_day": "0.2253"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	meter, err := md.CreateMeter(ctx, meta.Meter{Serial: "AMPDS-1", TariffID: tid, Group: "burnaby"})
	if err != nil {
		t.Fatal(err)
	}

	// The register: 0 at the start of the first hour, then cumulative WHE
	// at the end of each hour; a message per local day.
	var msgs []bus.Message
	reg := int64(0)
	day := meterdata.Readings{Meter: meter, Source: meterdata.SourceProfile}
	dayOf := func(ms int64) string { return time.UnixMilli(ms).In(vancouver).Format(time.DateOnly) }
	flush := func() {
		if len(day.Readings) == 0 {
			return
		}
		day.Collected = day.Readings[len(day.Readings)-1].Time
		data, err := day.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, bus.Message{Subject: bus.ReadingsSubject("AMPDS-1"), ID: "ampds/" + dayOf(day.Readings[0].Time), Data: data})
		day.Readings = day.Readings[:0]
	}
	add := func(ms, v int64) {
		if len(day.Readings) > 0 && dayOf(day.Readings[0].Time) != dayOf(ms) {
			flush()
		}
		day.Readings = append(day.Readings, store.Reading{Meter: meter, Channel: store.ActiveImport, Time: ms, Value: v})
	}
	add(rows[0].End-3_600_000, 0)
	for _, r := range rows {
		reg += r.Wh
		add(r.End, reg)
	}
	flush()
	if err := b.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c, err := ingest.New(ingest.Config{Store: st, Bus: b, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	consumeAll(t, c, int64(len(msgs)))
	if m := c.Metrics(); m.Added != int64(len(rows)+1) || m.Rejected != 0 || m.Conflicts != 0 {
		t.Fatalf("ingest metrics %+v, want %d readings added", m, len(rows)+1)
	}

	// Straight from the CSV: energy per local month of the hour's start.
	want := map[string]int64{}
	for _, r := range rows {
		want[time.UnixMilli(r.End-3_600_000).In(vancouver).Format("2006-01")] += r.Wh
	}

	runner, err := vee.NewRunner(st, vee.Config{Interval: time.Hour, Location: vancouver}, nil)
	if err != nil {
		t.Fatal(err)
	}
	biller, err := billing.NewBiller(billing.Config{Readings: st, Records: md, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var findings []string
	billed := 0
	for m := time.Date(2012, 4, 1, 0, 0, 0, 0, vancouver); m.Before(time.Date(2014, 4, 1, 0, 0, 0, 0, vancouver)); m = m.AddDate(0, 1, 0) {
		month := m.Format("2006-01")
		rep, err := runner.Run(ctx, vee.Job{Meter: meter, Channel: store.ActiveImport, Range: store.RangeOf(m, m.AddDate(0, 1, 0))})
		if err != nil {
			t.Fatalf("%s: vee: %v", month, err)
		}
		for _, f := range rep.Findings {
			findings = append(findings, fmt.Sprintf("%s %s", f.Rule, time.UnixMilli(f.Time).UTC().Format("2006-01-02T15:04Z")))
		}
		res, err := biller.Run(ctx, meter, m)
		switch month {
		case "2012-09", "2013-09":
			if !errors.Is(err, billing.ErrNegative) {
				t.Errorf("%s: bill %v, %v; want it held for the negative hour", month, res.Bill.Total, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", month, err)
		}
		billed++
		d := res.Bill.Determinants
		if d.Wh != want[month] {
			t.Errorf("%s: billed %d Wh, the CSV says %d Wh", month, d.Wh, want[month])
		}
		wantEst := map[string]int64{"2012-11": 818, "2013-11": 862}[month]
		if d.EstimatedWh != wantEst {
			t.Errorf("%s: %d Wh estimated, want %d", month, d.EstimatedWh, wantEst)
		}
		if res.Bill.Total <= 0 || res.Outcome != billing.Created {
			t.Errorf("%s: bill %s %s", month, res.Bill.Total, res.Outcome)
		}
	}
	if billed != 22 {
		t.Errorf("%d months billed, want 22", billed)
	}
	wantFindings := []string{"negative 2012-09-21T15:00Z", "gap 2012-11-04T09:00Z", "negative 2013-10-01T01:00Z", "gap 2013-11-03T09:00Z"}
	if fmt.Sprint(findings) != fmt.Sprint(wantFindings) {
		t.Errorf("VEE findings %q\nwant %q", findings, wantFindings)
	}
}

// consumeAll runs the ingest consumer until it has handled n messages.
func consumeAll(t *testing.T, c *ingest.Consumer, n int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute) // a hang guard, not a measurement
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for c.Metrics().Messages < n {
		select {
		case <-tick.C:
		case err := <-done:
			t.Fatalf("ingest stopped after %d of %d messages: %v", c.Metrics().Messages, n, err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
