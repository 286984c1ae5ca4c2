package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
	"github.com/amigo-ami/amigo/web/webtest"
)

type openAPIDoc struct {
	OpenAPI string
	Paths   map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name, In string
			Required bool
		}
		RequestBody *struct{ Required bool } `json:"requestBody"`
		Responses   map[string]json.RawMessage
		Security    []map[string][]string
		Role        string `json:"x-amigo-role"`
	}
	Components struct {
		Schemas map[string]json.RawMessage
	}
}

// TestOpenAPIMatchesRoutes walks the route table against the served
// document: every route is documented with its method, parameters,
// body, role and statuses, and nothing else is documented.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2})
	r := e.do("GET", "/api/v1/openapi.json", "", "")
	if r.status != 200 {
		t.Fatalf("openapi.json: %d", r.status)
	}
	doc := decode[openAPIDoc](t, r.body)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	routes := web.Routes(e.s)
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	if documented != len(routes) {
		t.Errorf("document has %d operations, the route table %d", documented, len(routes))
	}
	for _, rt := range routes {
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is served but not documented", rt.Method, rt.Path)
			continue
		}
		if op.OperationID != rt.ID || op.Role != string(rt.Role) || (rt.Role == "") != (len(op.Security) == 0) {
			t.Errorf("%s %s: documented as %s role %q security %v", rt.Method, rt.Path, op.OperationID, op.Role, op.Security)
		}
		var path, query []string
		for _, p := range op.Parameters {
			switch p.In {
			case "path":
				path = append(path, p.Name)
				if !p.Required {
					t.Errorf("%s: path parameter %s not required", rt.ID, p.Name)
				}
			case "query":
				query = append(query, p.Name)
			}
		}
		var inPattern []string
		for seg := range strings.SplitSeq(rt.Path, "/") {
			if strings.HasPrefix(seg, "{") {
				inPattern = append(inPattern, strings.Trim(seg, "{}"))
			}
		}
		if !slices.Equal(path, inPattern) || !slices.Equal(path, rt.PathParams) || !slices.Equal(query, rt.QueryParams) {
			t.Errorf("%s: documents path %v query %v; pattern has %v, route declares %v %v", rt.ID, path, query, inPattern, rt.PathParams, rt.QueryParams)
		}
		if (op.RequestBody != nil) != rt.HasBody {
			t.Errorf("%s: request body documented %v, route has one %v", rt.ID, op.RequestBody != nil, rt.HasBody)
		}
		var codes []int
		for c := range op.Responses {
			n, _ := strconv.Atoi(c)
			codes = append(codes, n)
		}
		want := append([]int{rt.Status}, rt.Errors...)
		slices.Sort(codes)
		slices.Sort(want)
		if !slices.Equal(codes, want) {
			t.Errorf("%s: documents statuses %v, want %v", rt.ID, codes, want)
		}
	}
	// Every $ref resolves.
	for _, ref := range refs(r.body) {
		if _, ok := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]; !ok {
			t.Errorf("dangling $ref %s", ref)
		}
	}
}

func refs(doc []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				out = append(out, r)
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var v any
	_ = json.Unmarshal(doc, &v)
	walk(v)
	return out
}

// TestDocumentedPathsAreServed sends every documented operation to the
// server: each reaches its handler (answers as JSON or an event stream),
// never the mux's 404 or 405.
func TestDocumentedPathsAreServed(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2})
	doc := decode[openAPIDoc](t, e.do("GET", "/api/v1/openapi.json", "", "").body)
	for path, ops := range doc.Paths {
		for method := range ops {
			ctx, cancel := context.WithCancel(t.Context())
			req, _ := http.NewRequestWithContext(ctx, strings.ToUpper(method), e.url+concrete(path, "1"), nil)
			req.Header.Set("Authorization", "Bearer "+e.b.Tokens[meta.RoleAdmin])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			ct := res.Header.Get("Content-Type")
			if res.StatusCode == 405 || (ct != "application/json" && ct != "text/event-stream" && res.StatusCode != 204) {
				t.Errorf("%s %s: %d %s", method, path, res.StatusCode, ct)
			}
			if res.StatusCode == 404 {
				var eb struct{ Error struct{ Message string } }
				_ = json.NewDecoder(res.Body).Decode(&eb)
				if strings.Contains(eb.Error.Message, "no such API path") {
					t.Errorf("%s %s is documented but not routed", method, path)
				}
			}
			res.Body.Close()
			cancel()
			observed.record(req.Method, req.URL.Path, res.StatusCode)
		}
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2})
	e.do("GET", "/api/v1/meters/1", meta.RoleViewer, "")
	e.do("GET", "/api/v1/meters/abc", meta.RoleViewer, "")
	res, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`amigo_http_requests_total{code="200",route="getMeter"} 1`,
		`amigo_http_requests_total{code="400",route="getMeter"} 1`,
		`amigo_http_request_duration_seconds_count{route="getMeter"} 2`,
		"go_goroutines ",
		"amigo_http_live_streams 0",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
