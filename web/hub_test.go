package web

import (
	"encoding/json"
	"testing"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// drain returns what is queued on s without blocking.
func drain(s *Subscription) []Update {
	var out []Update
	for {
		select {
		case u, ok := <-s.C():
			if !ok {
				return out
			}
			out = append(out, u)
		default:
			return out
		}
	}
}

func ids(us []Update) []uint64 {
	var out []uint64
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func job(id int64, meter store.MeterID) Job {
	return Job{Job: meta.Job{ID: id, Kind: CmdDisconnect, Meter: meter, State: meta.JobRunning}, Progress: 0.5}
}

func TestHubFanOutAndFilters(t *testing.T) {
	h := NewHub(HubConfig{})
	all := h.Subscribe(Filter{})
	meter7 := h.Subscribe(Filter{Meter: 7})
	alarms := h.Subscribe(Filter{Topics: []string{TopicAlarm}})
	h.PublishJob(job(1, 7))                                                           // id 1
	h.PublishJob(job(2, 8))                                                           // id 2
	h.PublishAlarm(meta.Alarm{ID: 3, Meter: 7, Kind: "tamper", Severity: "critical"}) // id 3
	h.PublishMeterStatus(9, MeterStatus{Comms: CommsOnline, CommsSuccess: -1})        // id 4
	for _, c := range []struct {
		name string
		sub  *Subscription
		want []uint64
	}{{"all", all, []uint64{1, 2, 3, 4}}, {"meter 7", meter7, []uint64{1, 3}}, {"alarms", alarms, []uint64{3}}} {
		if got := ids(drain(c.sub)); !equalIDs(got, c.want) {
			t.Errorf("%s: got updates %v, want %v", c.name, got, c.want)
		}
	}
	var j jobView
	h.PublishJob(job(5, 7))
	u := <-all.C()
	if err := json.Unmarshal(u.Data, &j); err != nil || j.ID != 5 || j.Progress != 0.5 || j.State != JobRunning || u.Topic != TopicJob || u.Meter != 7 {
		t.Errorf("job update = %+v (%s), err %v; want job 5 running at 0.5 for meter 7", u, u.Data, err)
	}
}

func TestHubDropsSlowSubscriber(t *testing.T) {
	h := NewHub(HubConfig{Buffer: 2})
	slow := h.Subscribe(Filter{})
	fast := h.Subscribe(Filter{})
	for i := range 3 {
		h.PublishJob(job(int64(i+1), 1))
		drain(fast) // fast keeps up
	}
	got := drain(slow)
	if !equalIDs(ids(got), []uint64{1, 2}) {
		t.Errorf("slow subscriber got %v before the drop, want [1 2]", ids(got))
	}
	if _, ok := <-slow.C(); ok || !slow.Dropped() {
		t.Errorf("slow subscriber: channel open or not marked dropped (dropped=%v)", slow.Dropped())
	}
	if fast.Dropped() || h.Subscribers() != 1 {
		t.Errorf("fast dropped=%v, subscribers=%d; want the fast one kept alone", fast.Dropped(), h.Subscribers())
	}
	h.PublishJob(job(4, 1))
	if got := ids(drain(fast)); !equalIDs(got, []uint64{4}) {
		t.Errorf("fast subscriber after the drop got %v, want [4]", got)
	}
	slow.Close() // closing a dropped subscription is harmless
	fast.Close()
	fast.Close()
	if h.Subscribers() != 0 {
		t.Errorf("%d subscribers after closing all", h.Subscribers())
	}
}

func TestHubResume(t *testing.T) {
	h := NewHub(HubConfig{Buffer: 3, Replay: 4})
	for i := range 6 {
		h.PublishJob(job(int64(i+1), store.MeterID(i%2+1)))
	}
	// The ring keeps updates 3…6.
	for _, c := range []struct {
		name  string
		f     Filter
		want  []uint64
		topic string
	}{
		{"resume inside the ring", Filter{After: 4}, []uint64{5, 6}, TopicJob},
		{"resume filtered", Filter{After: 2, Meter: 2}, []uint64{4, 6}, TopicJob},
		{"up to date", Filter{After: 6}, nil, ""},
		{"fell out of the ring", Filter{After: 1}, []uint64{6}, TopicResync},
		{"more than the buffer", Filter{After: 2}, []uint64{6}, TopicResync},
		{"id from another hub", Filter{After: 99}, []uint64{6}, TopicResync},
	} {
		s := h.Subscribe(c.f)
		got := drain(s)
		if !equalIDs(ids(got), c.want) || (len(got) > 0 && got[0].Topic != c.topic) {
			t.Errorf("%s: got %+v, want ids %v of topic %q", c.name, got, c.want, c.topic)
		}
		s.Close()
	}
}

func TestPublishReadingsSummarises(t *testing.T) {
	h := NewHub(HubConfig{})
	s := h.Subscribe(Filter{})
	v := store.Channel{1, 0, 32, 7, 0, 255}
	h.PublishReadings(3, []store.Reading{
		{Meter: 3, Channel: store.ActiveImport, Time: 120_000},
		{Meter: 3, Channel: v, Time: 60_000},
		{Meter: 3, Channel: store.ActiveImport, Time: 180_000},
	})
	u := <-s.C()
	want := `{"channels":["1.0.1.8.0.255","1.0.32.7.0.255"],"from":"1970-01-01T00:01:00Z","to":"1970-01-01T00:03:00Z","count":3}`
	if string(u.Data) != want || u.Meter != 3 || u.Topic != TopicReadings {
		t.Errorf("readings update %s for meter %d topic %s, want %s for meter 3", u.Data, u.Meter, u.Topic, want)
	}
}
