package web_test

import (
	"context"
	"encoding/json"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
	"github.com/amigo-ami/amigo/web/webtest"
)

// env is a web server on 127.0.0.1:0 over a webtest backend.
type env struct {
	t   *testing.T
	b   *webtest.Backend
	s   *web.Server
	url string
}

func newEnv(t *testing.T, o webtest.Options, edit ...func(*web.Config)) *env {
	t.Helper()
	b, err := webtest.New(t.Context(), t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.Config()
	for _, f := range edit {
		f(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(stderrors.Join(err, b.Close()))
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("backend close: %v", err)
		}
	})
	e := &env{t: t, b: b, s: s, url: "http://" + s.Addr().String()}
	observed.Lock()
	observed.routes = web.Routes(s)
	observed.Unlock()
	return e
}

// response is an answer with its decoded error body, if any.
type response struct {
	status int
	header http.Header
	body   []byte
	err    struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
}

// do sends a request as role ("" for none) and records the status the
// route answered, for TestMain's check against the OpenAPI document.
func (e *env) do(method, path string, role meta.Role, body string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.b.Tokens[role])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) response {
	e.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: b}
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") == "application/json" {
		var eb struct {
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(b, &eb); err != nil || eb.Error == nil || eb.Error.Code == "" || eb.Error.Message == "" {
			e.t.Errorf("%s %s: %d with a body that is not an error object: %s", req.Method, req.URL.Path, res.StatusCode, b)
		} else {
			r.err.Code, r.err.Message = eb.Error.Code, eb.Error.Message
		}
	}
	observed.record(req.Method, req.URL.Path, res.StatusCode)
	return r
}

// get sends a GET as role and decodes a 200 answer into v.
func (e *env) get(path string, role meta.Role, v any) {
	e.t.Helper()
	r := e.do("GET", path, role, "")
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
}

// observed collects, over the whole test run, the statuses each route
// answered.
var observed = &statusLog{seen: map[string]map[int]bool{}}

type statusLog struct {
	sync.Mutex
	routes []web.RouteInfo
	seen   map[string]map[int]bool // route id → statuses
}

func (o *statusLog) record(method, path string, status int) {
	o.Lock()
	defer o.Unlock()
	if rt, ok := matchRoute(o.routes, method, path); ok {
		if o.seen[rt.ID] == nil {
			o.seen[rt.ID] = map[int]bool{}
		}
		o.seen[rt.ID][status] = true
	}
}

// matchRoute finds the route a concrete path belongs to.
func matchRoute(routes []web.RouteInfo, method, path string) (web.RouteInfo, bool) {
	segs := strings.Split(path, "/")
	for _, rt := range routes {
		pat := strings.Split(rt.Path, "/")
		if rt.Method != method || len(pat) != len(segs) {
			continue
		}
		ok := true
		for i := range pat {
			if !strings.HasPrefix(pat[i], "{") && pat[i] != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt, true
		}
	}
	return web.RouteInfo{}, false
}

// TestMain checks, after every test, that each status a route answered is
// one the OpenAPI document lists for it.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		for _, rt := range observed.routes {
			for status := range observed.seen[rt.ID] {
				if status != rt.Status && !slices.Contains(rt.Errors, status) {
					fmt.Fprintf(os.Stderr, "route %s (%s %s) answered %d, which its documentation does not list (%d, %v)\n", rt.ID, rt.Method, rt.Path, status, rt.Status, rt.Errors)
					code = 1
				}
			}
		}
	}
	os.Exit(code)
}
