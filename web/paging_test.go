package web_test

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web/webtest"
)

type idPage struct {
	Items []struct {
		ID int64 `json:"id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// walk follows next_cursor from path and returns the ids of every page.
func walk(t *testing.T, e *env, path string, role meta.Role, limit int) (ids []int64, pages int) {
	t.Helper()
	cursor := ""
	for {
		p := fmt.Sprintf("%s%slimit=%d", path, sep(path), limit)
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var pg idPage
		e.get(p, role, &pg)
		pages++
		if len(pg.Items) > limit || (pg.NextCursor != "" && len(pg.Items) != limit) {
			t.Fatalf("%s: page of %d items with next %q, limit %d", p, len(pg.Items), pg.NextCursor, limit)
		}
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if pg.NextCursor == "" {
			return ids, pages
		}
		cursor = pg.NextCursor
		if pages > 1000 {
			t.Fatalf("%s: paging does not end", path)
		}
	}
}

func sep(path string) string {
	if slices.Contains([]byte(path), '?') {
		return "&"
	}
	return "?"
}

func TestPaging(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 23})
	// Meters: ascending ids, every meter once, whatever the page size.
	for _, limit := range []int{1, 5, 23, 100} {
		ids, pages := walk(t, e, "/api/v1/meters", meta.RoleViewer, limit)
		if len(ids) != 23 || !slices.IsSorted(ids) || ids[0] != 1 || pages != (23+limit-1)/limit {
			t.Errorf("meters limit %d: %d ids in %d pages: %v", limit, len(ids), pages, ids)
		}
	}
	// Filters page too: 23 meters in 4 groups → north-feeder has 6.
	if ids, _ := walk(t, e, "/api/v1/meters?group=north-feeder", meta.RoleViewer, 4); len(ids) != 6 {
		t.Errorf("north-feeder: %v", ids)
	}
	if ids, _ := walk(t, e, "/api/v1/meters?serial=AMG0000101", meta.RoleViewer, 3); !slices.Equal(ids, []int64{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}) {
		t.Errorf("serial prefix AMG0000101: %v", ids)
	}
	if ids, _ := walk(t, e, "/api/v1/meters?status=offline", meta.RoleViewer, 1); !slices.Equal(ids, []int64{6, 17}) {
		t.Errorf("offline: %v", ids)
	}
	if ids, _ := walk(t, e, "/api/v1/meters?class=0.2S", meta.RoleViewer, 2); !slices.Equal(ids, []int64{8, 16}) {
		t.Errorf("class 0.2S: %v", ids)
	}
	// Events: newest first (descending id), no repeats, all of them.
	all, _ := walk(t, e, "/api/v1/events?meter=4", meta.RoleViewer, 1000)
	paged, _ := walk(t, e, "/api/v1/events?meter=4", meta.RoleViewer, 7)
	if len(all) < 20 || !slices.Equal(all, paged) || !slices.IsSortedFunc(all, func(a, b int64) int { return cmp.Compare(b, a) }) {
		t.Errorf("events of meter 4: %d in one page, %d paged", len(all), len(paged))
	}
	// Alarms page by offset, newest first.
	alarms, _ := walk(t, e, "/api/v1/alarms", meta.RoleViewer, 2)
	open, _ := walk(t, e, "/api/v1/alarms?state=open", meta.RoleViewer, 3)
	if len(alarms) != 5 || len(open) != 4 || !slices.Equal(alarms, []int64{1, 2, 3, 4, 5}) {
		t.Errorf("alarms %v, open %v; want 5 newest first (1…5), 4 open", alarms, open)
	}
	// Jobs and the audit log.
	for range 5 {
		if r := e.do("POST", "/api/v1/meters/2/commands", meta.RoleOperator, `{"kind":"read-now"}`); r.status != 202 {
			t.Fatalf("read-now: %d %s", r.status, r.body)
		}
	}
	if jobs, _ := walk(t, e, "/api/v1/jobs?meter=2", meta.RoleViewer, 2); !slices.Equal(jobs, []int64{5, 4, 3, 2, 1}) {
		t.Errorf("jobs %v, want 5…1", jobs)
	}
	if entries, _ := walk(t, e, "/api/v1/audit?actor=operator", meta.RoleAdmin, 3); len(entries) != 10 || !slices.IsSorted(entries) {
		t.Errorf("audit entries of operator %v, want 10 ascending (requested + accepted per command)", entries)
	}
}
