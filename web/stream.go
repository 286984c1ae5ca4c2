package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// pingEvery keeps idle streams alive through proxies that close quiet
// connections.
const pingEvery = 15 * time.Second

// stream answers GET /api/v1/events/stream with server-sent events: one
// event per update, named by its topic, whose id is the update id (so a
// reconnecting EventSource resumes through Last-Event-ID) and whose data
// is the Update as JSON. A subscriber the hub drops for falling behind
// sees its stream end; the browser reconnects and resumes or resyncs.
func (s *Server) stream(w http.ResponseWriter, r *request) error {
	f := Filter{Meter: store.MeterID(r.int("meter"))}
	if t := r.str("topics"); t != "" {
		for _, name := range strings.Split(t, ",") {
			if !slices.Contains(topics, name) {
				return badParam("topics", "%q is not one of %s", name, strings.Join(topics, ", "))
			}
			f.Topics = append(f.Topics, name)
		}
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		// A malformed id cannot come from this server: start afresh.
		f.After, _ = strconv.ParseUint(id, 10, 64)
	}
	sub := s.cfg.Hub.Subscribe(f)
	defer sub.Close()
	if f := s.streamEnded.Load(); f != nil {
		defer (*f)()
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	bw := bufio.NewWriter(w)
	flush := func() bool { return bw.Flush() == nil && rc.Flush() == nil }
	bw.WriteString("retry: 2000\n\n")
	if !flush() {
		return nil
	}
	s.metrics.streams.Inc()
	defer s.metrics.streams.Dec()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.done:
			return nil
		case <-ping.C:
			bw.WriteString(": ping\n\n")
		case u, ok := <-sub.C():
			if !ok {
				return nil
			}
			writeEvent(bw, u)
			// Send what is already queued in the same write.
			for n := len(sub.C()); n > 0; n-- {
				if u, ok = <-sub.C(); !ok {
					break
				}
				writeEvent(bw, u)
			}
		}
		if !flush() {
			return nil
		}
	}
}

func writeEvent(bw *bufio.Writer, u Update) {
	data, _ := json.Marshal(u) // an Update always marshals: Data is valid JSON
	bw.WriteString("id: ")
	bw.WriteString(strconv.FormatUint(u.ID, 10))
	bw.WriteString("\nevent: ")
	bw.WriteString(u.Topic)
	bw.WriteString("\ndata: ")
	bw.Write(data)
	bw.WriteString("\n\n")
}
