package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/store/meta"
)

// tokenAuth accepts one token as an admin.
type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, token string) (meta.User, error) {
	if token != "amigo_fuzz" {
		return meta.User{}, meta.ErrUnauthenticated
	}
	return meta.User{ID: 1, Name: "fuzz", Role: meta.RoleAdmin}, nil
}

type nopAudit struct{}

func (nopAudit) Audit(context.Context, meta.AuditEntry) (int64, error) { return 1, nil }
func (nopAudit) AuditLog(context.Context, meta.AuditFilter) ([]meta.AuditEntry, error) {
	return nil, nil
}

// FuzzRequest sends arbitrary query strings and bodies to the operations
// that parse the most: whatever the input, the answer is a 4xx or 501
// with the JSON error body (no backend is configured past auth), never a
// panic or a 500.
func FuzzRequest(f *testing.F) {
	s, err := New(Config{Listen: "127.0.0.1:0", Auth: tokenAuth{}, Audit: nopAudit{}})
	if err != nil {
		f.Fatal(err)
	}
	defer s.ln.Close()
	for _, seed := range []struct{ path, query, body string }{
		{"/api/v1/meters/1/readings", "channel=1.0.1.8.0.255&from=2026-11-25T00:00:00Z&step=15m", ""},
		{"/api/v1/meters/1/readings", "channel=1-0:1.8.0*255&tz=Europe/Paris&step=1mo", ""},
		{"/api/v1/meters", "limit=5&cursor=MTI&serial=AMG&status=online", ""},
		{"/api/v1/events", "from=2026-11-25T00:00:00.5+01:00&limit=1000", ""},
		{"/api/v1/meters/1/commands", "", `{"kind":"credit-top-up","amount_micros":5}`},
		{"/api/v1/campaigns", "", `{"name":"x","image":"1","meters":[1,2]}`},
		{"/api/v1/users/1/tokens", "", `{"label":"x","ttl_hours":24}`},
	} {
		f.Add(seed.path, seed.query, seed.body)
	}
	f.Fuzz(func(t *testing.T, path, query, body string) {
		if !strings.HasPrefix(path, "/api/v1/") || strings.ContainsAny(path, "?# \r\n") {
			return
		}
		method := "GET"
		if body != "" {
			method = "POST"
		}
		req, err := http.NewRequest(method, "http://x"+path+"?"+query, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer amigo_fuzz")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code == http.StatusOK || rec.Code == http.StatusCreated || rec.Code == http.StatusAccepted {
			if path != "/api/v1/openapi.json" && path != "/api/v1/me" && path != "/api/v1/audit" {
				t.Fatalf("%s %s?%s answered %d without backends", method, path, query, rec.Code)
			}
			return
		}
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		var eb errorBody
		if rec.Header().Get("Content-Type") == "application/json" {
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
				t.Fatalf("%s %s?%s: %d with body %s", method, path, query, rec.Code, rec.Body)
			}
		}
	})
}
