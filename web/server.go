package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config configures a Server. Auth and Audit are required; every other
// backend may be nil, and then its operations answer 501 Not Implemented
// (they stay in the route table and the OpenAPI document).
type Config struct {
	Listen   string               // "127.0.0.1:8080" if empty; ":0" picks a port
	Logger   *slog.Logger         // discards if nil
	Now      func() time.Time     // time.Now if nil; the simulated clock in the demo
	Registry *prometheus.Registry // /metrics serves it; a new one if nil
	Hub      *Hub                 // live updates; a new one if nil

	Auth  Authenticator // bearer tokens (*meta.DB)
	Audit Auditor       // audit log (*meta.DB)
	Users Users         // user and token administration (*meta.DB)

	Fleet        Fleet
	Readings     Readings // store.Store
	Events       Events
	Alarms       Alarms // *meta.DB
	Commands     Commands
	Jobs         Jobs
	Campaigns    Campaigns
	Bills        Bills // *meta.DB
	Analytics    Analytics
	NILM         NILM
	PowerQuality PowerQuality

	// RegisterLookback is how far back the registers operation looks for a
	// channel's latest reading; 31 days if zero.
	RegisterLookback time.Duration
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// when its context ends; 5 s if zero.
	ShutdownTimeout time.Duration
}

const defaultListen = "127.0.0.1:8080"

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = defaultListen
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.Hub == nil {
		c.Hub = NewHub(HubConfig{})
	}
	if c.RegisterLookback == 0 {
		c.RegisterLookback = 31 * 24 * time.Hour
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 5 * time.Second
	}
}

func (c *Config) validate() error {
	switch {
	case c.Auth == nil:
		return errors.New("web: Config.Auth is nil: the API needs an authenticator")
	case c.Audit == nil:
		return errors.New("web: Config.Audit is nil: every command must be audited")
	case c.RegisterLookback < 0:
		return fmt.Errorf("web: Config.RegisterLookback %v < 0", c.RegisterLookback)
	}
	return nil
}

// Server is the HTTP API, /metrics and the console.
type Server struct {
	cfg     Config
	log     *slog.Logger
	ln      net.Listener
	handler http.Handler
	routes  []*route
	metrics *httpMetrics
	openapi []byte
	// done closes when Serve is shutting down, ending live streams, which
	// http.Server.Shutdown would otherwise wait for.
	done chan struct{}
	// streamEnded, when set (by tests), is called as a live stream ends.
	streamEnded atomic.Pointer[func()]
}

// New checks cfg, fills its defaults and listens on cfg.Listen; Serve
// then answers requests.
func New(cfg Config) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, done: make(chan struct{})}
	s.routes = s.routeTable()
	var err error
	if s.metrics, err = newHTTPMetrics(cfg.Registry, cfg.Logger); err != nil {
		return nil, err
	}
	if s.openapi, err = openAPIDocument(s.routes); err != nil {
		return nil, err
	}
	s.handler, err = s.newHandler()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("web: listen %s: %w", cfg.Listen, err)
	}
	s.ln = ln
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Hub is the server's live-update hub, for components to publish into.
func (s *Server) Hub() *Hub { return s.cfg.Hub }

// Handler is the server's whole HTTP handler, for embedding in another
// server or testing without the listener.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests until ctx ends, then stops accepting, ends live
// streams and waits up to Config.ShutdownTimeout for requests in flight.
// It closes the listener.
func (s *Server) Serve(ctx context.Context) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(s.ln) }()
	s.log.Info("web: serving", "addr", s.ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve %s: %w", s.ln.Addr(), err)
	case <-ctx.Done():
	}
	close(s.done)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(<-errc, http.ErrServerClosed) && err == nil {
		return nil
	}
	return fmt.Errorf("web: shutdown %s: %w", s.ln.Addr(), err)
}

// newHandler builds the mux from the route table.
func (s *Server) newHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.serveRoute(rt))
	}
	mux.Handle("/api/", s.unmatched(mux))
	mux.Handle("GET /metrics", s.metrics.instrument("metrics", promHandler(s.cfg.Registry)))
	console, err := consoleHandler()
	if err != nil {
		return nil, err
	}
	mux.Handle("/", s.metrics.instrument("console", console))
	return http.NewCrossOriginProtection().Handler(securityHeaders(mux)), nil
}

// serveRoute runs one operation: parameter checks, authentication, role,
// then the handler.
func (s *Server) serveRoute(rt *route) http.Handler {
	return s.metrics.instrument(rt.ID, http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		r := &request{Request: hr, route: rt}
		// Authentication comes first: who may not use the API learns
		// nothing about its parameters.
		var err error
		if rt.Role != "" {
			if r.user, err = s.authenticate(hr); err == nil {
				err = authorize(r.user, rt)
			}
		}
		if err == nil {
			err = checkParams(hr, rt)
		}
		if err != nil {
			challenge(w, hr, err)
			writeError(w, hr, s.log, err)
			return
		}
		if rt.Stream != nil {
			if err := rt.Stream(w, r); err != nil {
				writeError(w, hr, s.log, err)
			}
			return
		}
		v, err := rt.Handle(r)
		if err != nil {
			writeError(w, hr, s.log, err)
			return
		}
		writeJSON(w, rt.status(), v)
	}))
}

// unmatched answers API paths no route matches: 405 with Allow when the
// path exists with other methods, else 404, both with the JSON error body.
func (s *Server) unmatched(mux *http.ServeMux) http.Handler {
	return s.metrics.instrument("unmatched", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/api/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, r, s.log, &apiError{http.StatusMethodNotAllowed, codeMethodNotAllowed, r.Method + " " + r.URL.Path + ": method not allowed; use " + strings.Join(allow, ", ")})
			return
		}
		writeError(w, r, s.log, notFound("%s: no such API path", r.URL.Path))
	}))
}

// securityHeaders sets headers that make the console harder to misuse:
// no framing, no content sniffing, no referrer, scripts only from here.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}
