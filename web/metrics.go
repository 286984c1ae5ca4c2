package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics counts requests per operation. The route label is the
// operation id (or "console", "metrics", "unmatched"), never the URL path,
// so meter ids do not multiply the series.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	streams  prometheus.Gauge
	log      *slog.Logger
}

func newHTTPMetrics(reg *prometheus.Registry, log *slog.Logger) (*httpMetrics, error) {
	m := &httpMetrics{
		log: log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "amigo", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by operation and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "amigo", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by operation (live streams excluded).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8), // 0.5 ms … 8 s
		}, []string{"route"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "amigo", Subsystem: "http", Name: "live_streams",
			Help: "Server-sent event streams open.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.streams} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("web: metrics: %w", err)
		}
	}
	// The Go runtime and process collectors belong to the process, not to
	// this server: whoever registered them first keeps them.
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
			return nil, fmt.Errorf("web: metrics: %w", err)
		}
	}
	return m, nil
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush through the recorder.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times h under route, and turns a panic into a 500
// so one faulty handler does not drop the connection.
func (m *httpMetrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, errorBody{errorDetail{codeInternal, "internal error"}})
				}
				m.log.Error("web: handler panicked", "route", route, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			}
			m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			if rec.Header().Get("Content-Type") != "text/event-stream" {
				m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
			}
		}()
		h.ServeHTTP(rec, r)
	})
}

func promHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
