package web_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
	"github.com/amigo-ami/amigo/web/webtest"
)

// sse is a client of the event stream.
type sse struct {
	res    *http.Response
	r      *bufio.Reader
	cancel context.CancelFunc
}

func openStream(t *testing.T, e *env, query, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/events/stream"+query, nil)
	req.Header.Set("Authorization", "Bearer "+e.b.Tokens[meta.RoleViewer])
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	observed.record("GET", "/api/v1/events/stream", res.StatusCode)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &sse{res: res, r: bufio.NewReader(res.Body), cancel: cancel}
	t.Cleanup(s.close)
	if ev := s.next(t); ev["retry"] != "2000" {
		t.Fatalf("first event %v, want retry: 2000", ev)
	}
	return s
}

func (s *sse) close() {
	s.cancel()
	s.res.Body.Close()
}

// next reads one event as field → value (comments skipped).
func (s *sse) next(t *testing.T) map[string]string {
	t.Helper()
	ev := map[string]string{}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v (so far %v)", err, ev)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && len(ev) > 0:
			return ev
		case line == "", strings.HasPrefix(line, ":"):
		default:
			k, v, _ := strings.Cut(line, ": ")
			ev[k] = v
		}
	}
}

func TestStreamDeliversAndResumes(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 3})
	hub := e.s.Hub()
	s := openStream(t, e, "?meter=2&topics=job,meter", "")
	hub.PublishAlarm(meta.Alarm{ID: 1, Meter: 2, Kind: "tamper", Severity: "critical"})         // filtered: topic
	hub.PublishMeterStatus(1, web.MeterStatus{Comms: web.CommsOnline, CommsSuccess: -1})        // filtered: meter
	id := hub.PublishMeterStatus(2, web.MeterStatus{Comms: web.CommsOffline, CommsSuccess: -1}) // delivered
	ev := s.next(t)
	if ev["event"] != "meter" || ev["id"] != "3" || id != 3 || !strings.Contains(ev["data"], `"meter":2`) || !strings.Contains(ev["data"], `"comms":"offline"`) {
		t.Fatalf("event %v", ev)
	}
	s.close()
	// Reconnecting with Last-Event-ID replays what was missed meanwhile.
	hub.PublishMeterStatus(2, web.MeterStatus{Comms: web.CommsOnline, CommsSuccess: -1})  // 4
	hub.PublishMeterStatus(3, web.MeterStatus{Comms: web.CommsOnline, CommsSuccess: -1})  // 5, other meter
	hub.PublishMeterStatus(2, web.MeterStatus{Supply: web.SupplyReady, CommsSuccess: -1}) // 6
	s = openStream(t, e, "?meter=2", "3")
	if a, b := s.next(t), s.next(t); a["id"] != "4" || b["id"] != "6" || !strings.Contains(b["data"], `"supply":"ready"`) {
		t.Errorf("replay %v then %v, want ids 4 and 6", a, b)
	}
	// An id this hub never issued (a restarted server) asks for a resync.
	s = openStream(t, e, "", "999")
	if ev := s.next(t); ev["event"] != "resync" {
		t.Errorf("resume from a foreign id: %v, want resync", ev)
	}
}

// TestStreamClientDisconnect: when the client goes away, the server ends
// the stream and the hub forgets the subscriber.
func TestStreamClientDisconnect(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 1})
	ended := make(chan struct{}, 1)
	web.OnStreamEnd(e.s, func() { ended <- struct{}{} })
	s := openStream(t, e, "", "")
	if n := e.s.Hub().Subscribers(); n != 1 {
		t.Fatalf("%d subscribers with one stream open", n)
	}
	s.close()
	<-ended
	if n := e.s.Hub().Subscribers(); n != 0 {
		t.Errorf("%d subscribers after the client left", n)
	}
}

// TestStreamEndsOnShutdown: Serve's context ending closes open streams
// instead of waiting for them.
func TestStreamEndsOnShutdown(t *testing.T) {
	b, err := webtest.New(t.Context(), t.TempDir(), webtest.Options{Meters: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := web.New(b.Config())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	e := &env{t: t, b: b, s: s, url: "http://" + s.Addr().String()}
	st := openStream(t, e, "", "")
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
	if _, err := st.r.ReadString('\n'); err == nil {
		t.Error("stream still open after shutdown")
	}
}
