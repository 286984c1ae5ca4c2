package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
	"github.com/amigo-ami/amigo/web/webtest"
)

var roles = []meta.Role{meta.RoleViewer, meta.RoleOperator, meta.RoleAdmin}

func rank(r meta.Role) int {
	for i, x := range roles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

// concrete fills a route's path parameters with id.
func concrete(path, id string) string {
	var b strings.Builder
	for seg := range strings.SplitSeq(path, "/") {
		if b.Len() > 0 || seg != "" {
			b.WriteByte('/')
		}
		if strings.HasPrefix(seg, "{") {
			seg = id
		}
		b.WriteString(seg)
	}
	return b.String()
}

// TestAuthPerRole sends every protected operation without a token, with a
// bad one and as each role: 401 with a challenge, 403 below the route's
// role, and past authorisation at or above it. Bodies are empty, so that
// nothing is acted on: an authorised write answers 400.
func TestAuthPerRole(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 3})
	for _, rt := range web.Routes(e.s) {
		if rt.Role == "" || rt.ID == "streamEvents" {
			continue
		}
		path := concrete(rt.Path, "99") // 1 would revoke the viewer's token
		r := e.do(rt.Method, path, "", "")
		if r.status != 401 || r.header.Get("WWW-Authenticate") != `Bearer realm="amigo"` || r.err.Code != "unauthenticated" {
			t.Errorf("%s %s without token: %d %q %s", rt.Method, path, r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
		req, _ := http.NewRequestWithContext(t.Context(), rt.Method, e.url+path, nil)
		req.Header.Set("Authorization", "Bearer amigo_not-a-token")
		r = e.send(req)
		if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s %s with a bad token: %d %q", rt.Method, path, r.status, r.header.Get("WWW-Authenticate"))
		}
		for _, role := range roles {
			r := e.do(rt.Method, path, role, "")
			switch {
			case rank(role) < rank(rt.Role):
				if r.status != 403 || r.err.Code != "forbidden" || !strings.Contains(r.err.Message, string(rt.Role)) {
					t.Errorf("%s %s as %s: %d %s, want 403 naming %s", rt.Method, path, role, r.status, r.body, rt.Role)
				}
			case r.status == 401 || r.status == 403:
				t.Errorf("%s %s as %s: %d %s, want past authorisation", rt.Method, path, role, r.status, r.body)
			}
		}
	}
}

func TestRevokedTokenAndDisabledUser(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2})
	ctx := t.Context()
	id, err := e.b.Meta.CreateUser(ctx, meta.User{Name: "temp", Role: meta.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	tok, info, err := e.b.Meta.IssueToken(ctx, "admin", id, "t", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		return e.send(req).status
	}
	if s := get(); s != 200 {
		t.Fatalf("fresh token: %d", s)
	}
	if r := e.do("PATCH", fmt.Sprintf("/api/v1/users/%d", id), meta.RoleAdmin, `{"disabled":true}`); r.status != 200 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if s := get(); s != 401 {
		t.Errorf("token of a disabled user: %d, want 401", s)
	}
	e.do("PATCH", fmt.Sprintf("/api/v1/users/%d", id), meta.RoleAdmin, `{"disabled":false}`)
	if r := e.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", info.ID), meta.RoleAdmin, ""); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if s := get(); s != 401 {
		t.Errorf("revoked token: %d, want 401", s)
	}
}

// TestSessionCookie logs in as the console does and uses the cookie.
func TestSessionCookie(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2})
	if r := e.do("POST", "/api/v1/session", "", `{"token":"amigo_wrong"}`); r.status != 401 {
		t.Errorf("login with a wrong token: %d", r.status)
	}
	r := e.do("POST", "/api/v1/session", "", fmt.Sprintf(`{"token":%q}`, e.b.Tokens[meta.RoleOperator]))
	if r.status != 200 || !strings.Contains(string(r.body), `"role":"operator"`) {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	for _, attr := range []string{"amigo_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, attr)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", e.url+"/api/v1/me", nil)
	req.Header.Set("Cookie", strings.Split(cookie, ";")[0])
	if r := e.send(req); r.status != 200 || !strings.Contains(string(r.body), `"name":"operator"`) {
		t.Errorf("GET /api/v1/me with the cookie: %d %s", r.status, r.body)
	}
	// A cross-site write with the cookie is refused.
	req, _ = http.NewRequestWithContext(t.Context(), "POST", e.url+"/api/v1/meters/1/commands", strings.NewReader(`{"kind":"disconnect"}`))
	req.Header.Set("Cookie", strings.Split(cookie, ";")[0])
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := e.send(req); r.status != 403 {
		t.Errorf("cross-site command: %d %s, want 403", r.status, r.body)
	}
	if r := e.do("DELETE", "/api/v1/session", "", ""); r.status != 204 || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("logout: %d %q", r.status, r.header.Get("Set-Cookie"))
	}
}

// TestErrorPaths checks every way a request can be wrong: status, code
// and a message that names the culprit.
func TestErrorPaths(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 6})
	readings := "/api/v1/meters/1/readings?channel=1.0.1.8.0.255"
	for _, c := range []struct {
		method, path, body string
		role               meta.Role
		status             int
		code, message      string
	}{
		{"GET", "/api/v1/meters/abc", "", "viewer", 400, "invalid_parameter", `parameter id: "abc" is not an integer`},
		{"GET", "/api/v1/meters/0", "", "viewer", 400, "invalid_parameter", "parameter id: 0 is outside"},
		{"GET", "/api/v1/meters/-3/status", "", "viewer", 400, "invalid_parameter", "parameter id"},
		{"GET", "/api/v1/meters/99999999999999999999", "", "viewer", 400, "invalid_parameter", "parameter id"},
		{"GET", "/api/v1/meters/999", "", "viewer", 404, "not_found", "meter 999"},
		{"GET", "/api/v1/meters/999/readings?channel=active_import", "", "viewer", 404, "not_found", "meter 999"},
		{"GET", "/api/v1/meters/1/readings", "", "viewer", 400, "invalid_parameter", "parameter channel: required"},
		{"GET", "/api/v1/meters/1/readings?channel=1.0.99.9.9.255", "", "viewer", 400, "invalid_parameter", `parameter channel: "1.0.99.9.9.255" is not a known channel`},
		{"GET", "/api/v1/meters/1/readings?channel=volts", "", "viewer", 400, "invalid_parameter", "parameter channel"},
		{"GET", readings + "&step=2h", "", "viewer", 400, "invalid_parameter", `parameter step: "2h" is not one of raw, 15m, 1h, 1d, 1mo`},
		{"GET", readings + "&from=yesterday", "", "viewer", 400, "invalid_parameter", `parameter from: "yesterday" is not an RFC 3339 time`},
		{"GET", readings + "&from=2026-11-25", "", "viewer", 400, "invalid_parameter", "parameter from"},
		{"GET", readings + "&from=2026-11-25T10:00:00Z&to=2026-11-25T10:00:00Z", "", "viewer", 400, "invalid_parameter", "parameter from: 2026-11-25T10:00:00Z is not before to"},
		{"GET", readings + "&from=2026-11-25T11:00:00Z&to=2026-11-25T10:00:00Z", "", "viewer", 400, "invalid_parameter", "parameter from"},
		{"GET", readings + "&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "", "viewer", 400, "invalid_parameter", "parameter to: raw readings span at most 31 days"},
		{"GET", readings + "&from=1969-12-31T00:00:00Z&step=1mo", "", "viewer", 400, "invalid_parameter", "parameter from: 1969-12-31T00:00:00Z is outside"},
		{"GET", readings + "&step=1d&tz=Mars/Olympus", "", "viewer", 400, "invalid_parameter", `parameter tz: "Mars/Olympus"`},
		{"GET", readings + "&form=2026-11-25T10:00:00Z", "", "viewer", 400, "unknown_parameter", "parameter form: not a parameter of GET /api/v1/meters/{id}/readings"},
		{"GET", "/api/v1/meters?limit=1&limit=2", "", "viewer", 400, "invalid_parameter", "parameter limit: given 2 times"},
		{"GET", "/api/v1/meters?limit=0", "", "viewer", 400, "invalid_parameter", "parameter limit: 0 is outside [1, 1000]"},
		{"GET", "/api/v1/meters?limit=5000", "", "viewer", 400, "invalid_parameter", "parameter limit"},
		{"GET", "/api/v1/meters?cursor=!!!", "", "viewer", 400, "invalid_parameter", `parameter cursor: "!!!" is not a cursor`},
		{"GET", "/api/v1/meters?status=sleepy", "", "viewer", 400, "invalid_parameter", "parameter status"},
		{"GET", "/api/v1/meters?class=3", "", "viewer", 400, "invalid_parameter", "parameter class"},
		{"GET", "/api/v1/events?from=2026-11-25T10:00:00Z&to=2026-11-24T10:00:00Z", "", "viewer", 400, "invalid_parameter", "parameter from"},
		{"GET", "/api/v1/events/stream?topics=job,weather", "", "viewer", 400, "invalid_parameter", `parameter topics: "weather"`},
		{"GET", "/api/v1/jobs?state=sleeping", "", "viewer", 400, "invalid_parameter", "parameter state"},
		{"GET", "/api/v1/jobs/77", "", "viewer", 404, "not_found", "job 77"},
		{"GET", "/api/v1/bills/12345", "", "viewer", 404, "not_found", "bill 12345"},
		{"GET", "/api/v1/campaigns/4", "", "viewer", 404, "not_found", "campaign 4"},
		{"GET", "/api/v1/analytics/class-recommendations?mismatch=maybe", "", "viewer", 400, "invalid_parameter", "parameter mismatch"},
		{"GET", "/api/v1/audit?since=2026-11-26T00:00:00Z&until=2026-11-25T00:00:00Z", "", "admin", 400, "invalid_parameter", "parameter since"},
		{"POST", "/api/v1/meters/1/commands", "", "operator", 400, "invalid_body", "request body: empty"},
		{"POST", "/api/v1/meters/1/commands", "{", "operator", 400, "invalid_body", "request body"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"disconnect"} {}`, "operator", 400, "invalid_body", "more than one JSON value"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"explode"}`, "operator", 400, "invalid_body", `kind "explode" is not one of read-now, connect, disconnect`},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"disconnect","force":true}`, "operator", 400, "invalid_body", `unknown field "force"`},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"credit-top-up"}`, "operator", 400, "invalid_body", "amount_micros 0"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"credit-top-up","amount_micros":-5}`, "operator", 400, "invalid_body", "amount_micros -5"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"disconnect","amount_micros":5}`, "operator", 400, "invalid_body", "amount_micros is for credit-top-up"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"tariff-update"}`, "operator", 400, "invalid_body", "tariff_id 0"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"tariff-update","tariff_id":42}`, "operator", 404, "not_found", "tariff 42"},
		{"POST", "/api/v1/meters/1/commands", `{"kind":"credit-top-up","amount_micros":5000000}`, "operator", 400, "invalid_body", "no prepayment account"},
		{"POST", "/api/v1/meters/999/commands", `{"kind":"disconnect"}`, "operator", 404, "not_found", "meter 999"},
		{"POST", "/api/v1/campaigns", `{"name":"x","image":"2.0.0"}`, "admin", 400, "invalid_body", "either group or meters"},
		{"POST", "/api/v1/campaigns", `{"name":"x","image":"2.0.0","group":"g","meters":[1]}`, "admin", 400, "invalid_body", "either group or meters"},
		{"POST", "/api/v1/campaigns", `{"name":"","image":"2.0.0","group":"g"}`, "admin", 400, "invalid_body", "name is empty"},
		{"POST", "/api/v1/campaigns", `{"name":"x","image":"2.0.0","meters":[1,0]}`, "admin", 400, "invalid_body", "meters[1] is 0"},
		{"POST", "/api/v1/campaigns", `{"name":"x","image":"2.0.0","meters":[77]}`, "admin", 404, "not_found", "meter 77"},
		{"POST", "/api/v1/campaigns", `{"name":"x","image":"2.0.0","group":"nowhere"}`, "admin", 404, "not_found", `group "nowhere"`},
		{"POST", "/api/v1/alarms/999/acknowledge", "", "operator", 404, "not_found", "alarm 999"},
		{"POST", "/api/v1/users", `{"name":"bob","role":"root"}`, "admin", 400, "invalid_body", `role "root" is not one of viewer, operator, admin`},
		{"POST", "/api/v1/users", `{"name":"viewer","role":"viewer"}`, "admin", 409, "conflict", "user viewer"},
		{"PATCH", "/api/v1/users/1", `{}`, "admin", 400, "invalid_body", "disabled is missing"},
		{"PATCH", "/api/v1/users/99", `{"disabled":true}`, "admin", 404, "not_found", "user 99"},
		{"POST", "/api/v1/users/1/tokens", `{"label":"x","ttl_hours":0}`, "admin", 400, "invalid_body", "ttl_hours 0 is outside [1, 8784]"},
		{"POST", "/api/v1/users/99/tokens", `{"label":"x","ttl_hours":1}`, "admin", 404, "not_found", "user 99"},
		{"GET", "/api/v1/users/99/tokens", "", "admin", 404, "not_found", "user 99"},
		{"DELETE", "/api/v1/tokens/99", "", "admin", 404, "not_found", "token 99"},
		{"DELETE", "/api/v1/meters", "", "admin", 405, "method_not_allowed", "use GET"},
		{"GET", "/api/v1/nothing-here", "", "viewer", 404, "not_found", "/api/v1/nothing-here: no such API path"},
	} {
		r := e.do(c.method, c.path, c.role, c.body)
		if r.status != c.status || r.err.Code != c.code || !strings.Contains(r.err.Message, c.message) {
			t.Errorf("%s %s %s: %d %s %q; want %d %s containing %q", c.method, c.path, c.body, r.status, r.err.Code, r.err.Message, c.status, c.code, c.message)
		}
	}
	if r := e.do("DELETE", "/api/v1/meters", "admin", ""); r.header.Get("Allow") != "GET" {
		t.Errorf("405 Allow = %q, want GET", r.header.Get("Allow"))
	}
}

// TestMissingBackends: a server with only the required backends answers
// 501 for the rest, still as JSON errors.
func TestMissingBackends(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 1}, func(c *web.Config) {
		*c = web.Config{Listen: c.Listen, Auth: c.Auth, Audit: c.Audit, Now: c.Now}
	})
	for _, path := range []string{"/api/v1/meters", "/api/v1/fleet", "/api/v1/meters/1/readings?channel=active_import", "/api/v1/jobs", "/api/v1/analytics/quality", "/api/v1/meters/1/nilm/breakdown"} {
		if r := e.do("GET", path, meta.RoleViewer, ""); r.status != 501 || r.err.Code != "not_implemented" {
			t.Errorf("GET %s: %d %s, want 501", path, r.status, r.body)
		}
	}
	if _, err := web.New(web.Config{Listen: "127.0.0.1:0"}); err == nil || !strings.Contains(err.Error(), "Auth") {
		t.Errorf("New without Auth: %v", err)
	}
}

type readings struct {
	Unit   string
	Points []struct {
		T time.Time
		V int64
		Q string
	}
	Buckets []struct {
		Start                             time.Time
		Count, Sum, Min, Max, First, Last int64
	}
}

// TestReadingsAndRegisters checks values against what the backend stored.
func TestReadingsAndRegisters(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2, Days: 2})
	ctx := context.Background()
	now := e.b.Now()
	from, to := now.Add(-3*time.Hour).Truncate(time.Hour), now.Truncate(time.Hour)
	stored, err := e.b.Store.Scan(ctx, store.ScanQuery{Meter: 2, Channel: store.ActiveImport, Range: store.Range{From: from.UnixMilli(), To: to.UnixMilli()}}, nil)
	if err != nil || len(stored) != 180 {
		t.Fatalf("backend holds %d readings (err %v), want 180", len(stored), err)
	}
	var raw readings
	e.get(fmt.Sprintf("/api/v1/meters/2/readings?channel=1-0:1.8.0*255&from=%s&to=%s", from.Format(time.RFC3339), to.Format(time.RFC3339)), meta.RoleViewer, &raw)
	if len(raw.Points) != 180 || raw.Unit != "Wh" {
		t.Fatalf("raw: %d points in %q, want 180 in Wh", len(raw.Points), raw.Unit)
	}
	for i, p := range raw.Points {
		if p.V != stored[i].Value || !p.T.Equal(time.UnixMilli(stored[i].Time)) || p.Q != "valid" {
			t.Fatalf("point %d = %+v, stored %v", i, p, stored[i])
		}
	}
	var q readings
	e.get(fmt.Sprintf("/api/v1/meters/2/readings?channel=active_import&step=15m&from=%s&to=%s", from.Format(time.RFC3339), to.Format(time.RFC3339)), meta.RoleViewer, &q)
	if len(q.Buckets) != 12 {
		t.Fatalf("15m: %d buckets, want 12", len(q.Buckets))
	}
	for i, b := range q.Buckets {
		first, last := stored[i*15], stored[i*15+14]
		if b.Count != 15 || b.First != first.Value || b.Last != last.Value || !b.Start.Equal(from.Add(time.Duration(i)*15*time.Minute)) {
			t.Errorf("bucket %d = %+v; want 15 readings from %d to %d", i, b, first.Value, last.Value)
		}
	}
	var regs struct {
		Registers []struct {
			Name  string
			Value int64
			Time  time.Time
		}
	}
	e.get("/api/v1/meters/2/registers", meta.RoleViewer, &regs)
	last, err := e.b.Store.Scan(ctx, store.ScanQuery{Meter: 2, Channel: store.ActiveImport, Range: store.Range{From: now.Add(-time.Minute).UnixMilli(), To: now.UnixMilli()}}, nil)
	if err != nil || len(last) != 1 {
		t.Fatalf("last minute: %v %v", last, err)
	}
	names := map[string]int64{}
	for _, r := range regs.Registers {
		names[r.Name] = r.Value
	}
	if names["active_import"] != last[0].Value || len(regs.Registers) != 3 {
		t.Errorf("registers %+v; want 3 channels with active_import = %d", regs.Registers, last[0].Value)
	}
}

func TestFleetSummary(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 24})
	var f struct {
		Meters     int
		Comms      map[string]int
		Supply     map[string]int
		OpenAlarms int `json:"open_alarms"`
		Groups     []struct {
			Group  string
			Meters int
		}
	}
	e.get("/api/v1/fleet", meta.RoleViewer, &f)
	// webtest: meters 5, 16 offline (i%11 == 5); 7, 20 disconnected
	// (i%13 == 7); 5 alarms of which 1 cleared.
	if f.Meters != 24 || f.Comms["offline"] != 2 || f.Comms["online"] != 22 || f.Supply["disconnected"] != 2 || f.OpenAlarms != 4 || len(f.Groups) != 4 || f.Groups[0].Meters != 6 {
		t.Errorf("fleet = %+v", f)
	}
	var m struct {
		Serial string
		Status struct {
			Comms  string
			Credit *struct {
				BalanceMicros int64 `json:"balance_micros"`
			}
		}
	}
	e.get("/api/v1/meters/3", meta.RoleViewer, &m)
	if m.Serial != "AMG00001002" || m.Status.Comms != "online" || m.Status.Credit == nil {
		t.Errorf("meter 3 = %+v; want AMG00001002 online with credit", m)
	}
	var bill struct {
		TotalMicros int64 `json:"total_micros"`
		Lines       []struct {
			AmountMicros int64 `json:"amount_micros"`
		}
	}
	e.get("/api/v1/bills/1", meta.RoleViewer, &bill)
	var sum int64
	for _, l := range bill.Lines {
		sum += l.AmountMicros
	}
	if len(bill.Lines) != 3 || sum != bill.TotalMicros || sum == 0 {
		t.Errorf("bill 1 = %+v; lines should add up to the total", bill)
	}
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}
