package vee

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
)

func openStore(t *testing.T) *pebble.DB {
	t.Helper()
	st, err := pebble.Open(context.Background(), filepath.Join(t.TempDir(), "readings"), pebble.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func scanDay(t *testing.T, st *pebble.DB, from int64) []store.Reading {
	t.Helper()
	rs, err := st.Scan(context.Background(), store.ScanQuery{Meter: 1, Channel: store.ActiveImport, Range: store.Range{From: from, To: from + dayMs + 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestRunThenActualsArrive: VEE fills a gap with estimates in the store;
// when the head-end later delivers the lost readings they replace the
// estimates (store.Merge), and VEE run again finds nothing to do.
func TestRunThenActualsArrive(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	truth := fourWeeks()
	mon := day0 + 28*dayMs
	var lost []int64
	for tm := mon + 8*hourMs + quarter; tm < mon+11*hourMs; tm += quarter {
		lost = append(lost, tm)
	}
	if _, err := st.Append(ctx, without(truth, lost...)); err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(st, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	job := Job{Meter: 1, Channel: store.ActiveImport, Range: store.Range{From: mon, To: mon + 18*hourMs}}
	rep, err := r.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Estimates) != len(lost) || findings(rep) != "gap@11:00" {
		t.Fatalf("first run: %d estimates, findings %q; want %d and a gap", len(rep.Estimates), findings(rep), len(lost))
	}
	stored := scanDay(t, st, mon)
	for _, x := range stored {
		want := store.Valid
		if slices.Contains(lost, x.Time) {
			want = store.Estimated
		}
		if x.Time <= mon+18*hourMs && x.Quality != want {
			t.Fatalf("stored %s, want quality %s", x, want)
		}
	}

	var actual []store.Reading
	for _, x := range truth {
		if slices.Contains(lost, x.Time) {
			actual = append(actual, x)
		}
	}
	res, err := st.Append(ctx, actual)
	if err != nil || res.Replaced != len(lost) {
		t.Fatalf("late actual readings: %+v, %v; want %d replaced", res, err, len(lost))
	}
	rep, err = r.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Estimates) != 0 || len(rep.Findings) != 0 || len(rep.Marks) != len(lost) {
		t.Errorf("after the actuals: %d estimates, findings %q, %d marks; want only the %d new readings marked valid",
			len(rep.Estimates), findings(rep), len(rep.Marks), len(lost))
	}
	for _, x := range scanDay(t, st, mon) {
		if slices.Contains(lost, x.Time) && x.Quality != store.Valid {
			t.Errorf("late reading stored as %s, want valid actual", x)
		}
	}
	if rep, _ = r.Run(ctx, job); len(rep.Marks)+len(rep.Estimates) != 0 {
		t.Errorf("third run wrote %d marks and %d estimates, want nothing", len(rep.Marks), len(rep.Estimates))
	}
}

func TestEditIsAudited(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	md, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer md.Close()
	spike := store.Reading{Meter: 1, Channel: store.ActiveImport, Time: day0, Value: 99_999, Quality: store.Suspect}
	if _, err := st.Append(ctx, []store.Reading{spike}); err != nil {
		t.Fatal(err)
	}
	if err := Edit(ctx, st, md, "alice", store.Reading{Meter: 1, Channel: store.ActiveImport, Time: day0, Value: 1234}, ""); err != ErrNoReason {
		t.Errorf("edit without a reason: %v, want ErrNoReason", err)
	}
	fixed := spike
	fixed.Value = 1234
	if err := Edit(ctx, st, md, "alice", fixed, "meter photo shows 1.234 kWh"); err != nil {
		t.Fatal(err)
	}
	got := scanDay(t, st, day0)
	if len(got) != 1 || got[0].Value != 1234 || got[0].Quality != store.Edited|store.Valid {
		t.Errorf("stored after edit: %v, want 1234 edited|valid", got)
	}
	log, err := md.AuditLog(ctx, meta.AuditFilter{})
	if err != nil || len(log) != 1 {
		t.Fatalf("audit log %v, %v; want one entry", log, err)
	}
	var d editDetail
	if err := json.Unmarshal(log[0].Detail, &d); err != nil {
		t.Fatal(err)
	}
	if log[0].Actor != "alice" || log[0].Action != "reading.edit" || d.Old == nil || *d.Old != 99_999 || d.OldQuality != "suspect" || d.New != 1234 || d.Reason == "" {
		t.Errorf("audit entry %+v detail %+v", log[0], d)
	}
}
