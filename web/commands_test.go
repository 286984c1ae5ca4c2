package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
	"github.com/amigo-ami/amigo/web/webtest"
)

type jobJSON struct {
	ID       int64   `json:"id"`
	Kind     string  `json:"kind"`
	Meter    int64   `json:"meter"`
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Result   string  `json:"result"`
}

// waitJob reads job updates from sub until job id ends, returning the
// states it went through.
func waitJob(t *testing.T, sub *web.Subscription, id int64) (states []string, last jobJSON) {
	t.Helper()
	for u := range sub.C() {
		if u.Topic != web.TopicJob {
			continue
		}
		j := decode[jobJSON](t, u.Data)
		if j.ID != id {
			continue
		}
		states = append(states, fmt.Sprintf("%s@%.1f", j.State, j.Progress))
		if j.State == web.JobDone || j.State == web.JobFailed {
			return states, j
		}
	}
	t.Fatalf("subscription ended before job %d did (dropped %v)", id, sub.Dropped())
	return nil, jobJSON{}
}

// waitJobs reads job updates from sub until every job in ids has ended.
// The jobs run concurrently, so one's end can come while the others run:
// waiting for them one after the other would skip it.
func waitJobs(t *testing.T, sub *web.Subscription, ids ...int64) {
	t.Helper()
	open := make(map[int64]bool, len(ids))
	for _, id := range ids {
		open[id] = true
	}
	for u := range sub.C() {
		if u.Topic != web.TopicJob {
			continue
		}
		if j := decode[jobJSON](t, u.Data); open[j.ID] && (j.State == web.JobDone || j.State == web.JobFailed) {
			delete(open, j.ID)
			if len(open) == 0 {
				return
			}
		}
	}
	t.Fatalf("subscription ended with jobs %v still open (dropped %v)", open, sub.Dropped())
}

func TestDisconnectRunsAndIsAudited(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 4})
	sub := e.b.Hub.Subscribe(web.Filter{Meter: 2})
	defer sub.Close()
	r := e.do("POST", "/api/v1/meters/2/commands", meta.RoleOperator, `{"kind":"disconnect"}`)
	if r.status != 202 {
		t.Fatalf("disconnect: %d %s", r.status, r.body)
	}
	j := decode[jobJSON](t, r.body)
	if j.Kind != "disconnect" || j.Meter != 2 || j.ID == 0 {
		t.Fatalf("job %+v", j)
	}
	states, last := waitJob(t, sub, j.ID)
	if strings.Join(states, " ") != "queued@0.0 running@0.3 running@0.7 done@1.0" || last.Result != "supply disconnected" {
		t.Errorf("job went %v ending %+v", states, last)
	}
	var st struct{ Supply string }
	e.get("/api/v1/meters/2/status", meta.RoleViewer, &st)
	if st.Supply != "disconnected" {
		t.Errorf("supply after disconnect = %q", st.Supply)
	}
	var got jobJSON
	e.get(fmt.Sprintf("/api/v1/jobs/%d", j.ID), meta.RoleViewer, &got)
	if got.State != "done" || got.Progress != 1 {
		t.Errorf("GET job = %+v", got)
	}
	log, err := e.b.Meta.AuditLog(t.Context(), meta.AuditFilter{Actor: "operator"})
	if err != nil || len(log) != 2 {
		t.Fatalf("audit: %v %v", log, err)
	}
	for i, stage := range []string{"requested", "accepted"} {
		a := log[i]
		var d struct {
			Stage  string
			Job    int64
			Params struct{ Kind string }
		}
		if err := json.Unmarshal(a.Detail, &d); err != nil || a.Action != "meter.disconnect" || a.Target != "AMG00001001" || d.Stage != stage || d.Params.Kind != "disconnect" || a.At.IsZero() {
			t.Errorf("audit[%d] = %+v %s", i, a, a.Detail)
		}
		if stage == "accepted" && d.Job != j.ID {
			t.Errorf("audit outcome names job %d, want %d", d.Job, j.ID)
		}
	}
}

func TestCommandToOfflineMeterFails(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 8})
	sub := e.b.Hub.Subscribe(web.Filter{Topics: []string{web.TopicJob}})
	defer sub.Close()
	// Meter 6 is offline in webtest.
	r := e.do("POST", "/api/v1/meters/6/commands", meta.RoleOperator, `{"kind":"clock-sync"}`)
	if r.status != 202 {
		t.Fatalf("clock-sync: %d %s", r.status, r.body)
	}
	_, last := waitJob(t, sub, decode[jobJSON](t, r.body).ID)
	if last.State != "failed" || !strings.Contains(last.Result, "no answer") {
		t.Errorf("job to offline meter ended %+v", last)
	}
}

func TestCreditTopUp(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 4})
	before := e.b.Fleet.Status(3).Credit.Balance
	sub := e.b.Hub.Subscribe(web.Filter{Meter: 3})
	defer sub.Close()
	r := e.do("POST", "/api/v1/meters/3/commands", meta.RoleOperator, `{"kind":"credit-top-up","amount_micros":20000000}`)
	if r.status != 202 {
		t.Fatalf("top-up: %d %s", r.status, r.body)
	}
	waitJob(t, sub, decode[jobJSON](t, r.body).ID)
	if after := e.b.Fleet.Status(3).Credit.Balance; after-before != 20_000_000 {
		t.Errorf("credit %d → %d, want +20000000", before, after)
	}
}

// failingAudit refuses to write.
type failingAudit struct{ web.Auditor }

func (failingAudit) Audit(context.Context, meta.AuditEntry) (int64, error) {
	return 0, errors.New("disk full")
}

// TestUnauditableCommandIsNotSent: when the audit log cannot be written,
// the command is refused and no job exists.
func TestUnauditableCommandIsNotSent(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 2}, func(c *web.Config) { c.Audit = failingAudit{c.Audit} })
	r := e.do("POST", "/api/v1/meters/1/commands", meta.RoleOperator, `{"kind":"disconnect"}`)
	if r.status != 500 || r.err.Code != "internal" || strings.Contains(r.err.Message, "disk") {
		t.Errorf("unauditable command: %d %s; want 500 without internals", r.status, r.body)
	}
	if js, _ := e.b.Head.Jobs(t.Context(), web.JobQuery{Limit: 10}); len(js) != 0 {
		t.Errorf("jobs after a refused command: %+v", js)
	}
}

func TestCampaign(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 8})
	sub := e.b.Hub.Subscribe(web.Filter{Topics: []string{web.TopicJob}})
	defer sub.Close()
	r := e.do("POST", "/api/v1/campaigns", meta.RoleAdmin, `{"name":"Spring update","image":"1.5.0","group":"old-town"}`)
	if r.status != 201 {
		t.Fatalf("campaign: %d %s", r.status, r.body)
	}
	c := decode[struct {
		ID    int64
		Total int
		Jobs  []int64
	}](t, r.body)
	// old-town holds meters 3 and 7 (index 2 and 6).
	if c.Total != 2 || len(c.Jobs) != 2 {
		t.Fatalf("campaign %+v", c)
	}
	waitJobs(t, sub, c.Jobs...)
	var got struct {
		State    string
		Done     int
		Progress float64
	}
	e.get(fmt.Sprintf("/api/v1/campaigns/%d", c.ID), meta.RoleViewer, &got)
	if got.State != "done" || got.Done != 2 || got.Progress != 1 {
		t.Errorf("campaign after its jobs: %+v", got)
	}
	m, err := e.b.Meta.Meter(t.Context(), 7)
	if err != nil || m.Firmware != "1.5.0" {
		t.Errorf("meter 7 firmware %q (%v), want 1.5.0", m.Firmware, err)
	}
}

// TestCampaignConflict: jobs pause for an hour, so the first campaign is
// still running when the second one asks for one of its meters.
func TestCampaignConflict(t *testing.T) {
	e := newEnv(t, webtest.Options{Meters: 8, StepDelay: time.Hour})
	if r := e.do("POST", "/api/v1/campaigns", meta.RoleAdmin, `{"name":"first","image":"1.5.0","group":"old-town"}`); r.status != 201 {
		t.Fatalf("first campaign: %d %s", r.status, r.body)
	}
	r := e.do("POST", "/api/v1/campaigns", meta.RoleAdmin, `{"name":"second","image":"1.5.1","meters":[1,7]}`)
	if r.status != 409 || r.err.Code != "conflict" || !strings.Contains(r.err.Message, "campaign 1") {
		t.Errorf("overlapping campaign: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/campaigns", meta.RoleAdmin, `{"name":"third","image":"1.5.1","meters":[1,2]}`); r.status != 201 {
		t.Errorf("disjoint campaign: %d %s", r.status, r.body)
	}
}
