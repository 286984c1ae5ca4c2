package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Topics of live updates. Components publish into the hub with the
// Publish methods; the console
// subscribes through GET /api/v1/events/stream.
const (
	TopicReadings = "readings" // new readings of a meter were stored
	TopicJob      = "job"      // a job changed state or progressed
	TopicAlarm    = "alarm"    // an alarm was raised, acknowledged or cleared
	TopicMeter    = "meter"    // a meter's status changed (comms, supply, credit)
	// TopicResync tells a subscriber that it missed updates (it was too
	// slow, or resumed from further back than the hub keeps) and should
	// fetch the state again. The hub sends it; nobody publishes it.
	TopicResync = "resync"
)

var topics = []string{TopicReadings, TopicJob, TopicAlarm, TopicMeter}

// HubConfig sizes a Hub. The zero value is valid.
type HubConfig struct {
	// Buffer is how many updates a subscriber may lag behind before the
	// hub drops it; 256 if zero.
	Buffer int
	// Replay is how many recent updates the hub keeps so that a
	// reconnecting subscriber resumes where it stopped; 1024 if zero.
	Replay int
}

// Update is one live update.
type Update struct {
	ID    uint64          `json:"id"` // assigned by Publish, increasing from 1
	Topic string          `json:"topic"`
	Meter store.MeterID   `json:"meter,omitempty"` // 0: not about one meter
	Data  json.RawMessage `json:"data"`
}

// Hub fans updates out to subscribers. Publish never blocks: a subscriber
// whose buffer is full is dropped (its channel closes), so one slow client
// cannot hold up the components that publish. A Hub is safe for
// concurrent use.
type Hub struct {
	cfg  HubConfig
	mu   sync.Mutex
	next uint64
	ring []Update // the last cfg.Replay updates; ring[(head+i)%len] is the i-th oldest
	head int
	subs map[*Subscription]struct{}
}

// NewHub returns an empty hub.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Buffer <= 0 {
		cfg.Buffer = 256
	}
	if cfg.Replay <= 0 {
		cfg.Replay = 1024
	}
	return &Hub{cfg: cfg, next: 1, subs: make(map[*Subscription]struct{})}
}

// publish sends v, marshalled to JSON once, to every subscriber whose
// filter matches, and returns the update's id.
func (h *Hub) publish(topic string, meter store.MeterID, v any) uint64 {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("web: publish %s: %v", topic, err)) // the views below always marshal
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	u := Update{ID: h.next, Topic: topic, Meter: meter, Data: data}
	h.next++
	if len(h.ring) < h.cfg.Replay {
		h.ring = append(h.ring, u)
	} else {
		h.ring[h.head] = u
		h.head = (h.head + 1) % len(h.ring)
	}
	for s := range h.subs {
		if !s.filter.matches(u) {
			continue
		}
		select {
		case s.c <- u:
		default:
			h.drop(s)
		}
	}
	return u.ID
}

// PublishJob announces a job's new state or progress; the update's data is
// the job as GET /api/v1/jobs/{id} shows it.
func (h *Hub) PublishJob(j Job) uint64 { return h.publish(TopicJob, j.Meter, viewJob(j)) }

// PublishMeterStatus announces a meter's new status; the data is the
// status as GET /api/v1/meters/{id}/status shows it.
func (h *Hub) PublishMeterStatus(id store.MeterID, s MeterStatus) uint64 {
	return h.publish(TopicMeter, id, viewStatus(s))
}

// PublishAlarm announces an alarm raised, acknowledged or cleared; the
// data is the alarm as GET /api/v1/alarms lists it.
func (h *Hub) PublishAlarm(a meta.Alarm) uint64 { return h.publish(TopicAlarm, a.Meter, viewAlarm(a)) }

// PublishReadings announces that readings of one meter were stored; the
// data names the channels and the time span, so that a client refetches
// what it shows.
func (h *Hub) PublishReadings(id store.MeterID, rs []store.Reading) uint64 {
	v := readingsUpdate{Channels: []string{}}
	for i, r := range rs {
		t := time.UnixMilli(r.Time).UTC()
		if i == 0 || t.Before(v.From) {
			v.From = t
		}
		if t.After(v.To) {
			v.To = t
		}
		if c := r.Channel.String(); !slices.Contains(v.Channels, c) {
			v.Channels = append(v.Channels, c)
		}
	}
	v.Count = len(rs)
	return h.publish(TopicReadings, id, v)
}

// readingsUpdate is the data of a TopicReadings update.
type readingsUpdate struct {
	Channels []string  `json:"channels"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"` // the latest reading's time (inclusive)
	Count    int       `json:"count"`
}

// Filter selects updates. Zero fields select everything.
type Filter struct {
	Topics []string
	Meter  store.MeterID
	// After resumes a stream: updates with larger ids that the hub still
	// keeps are delivered first. 0 starts with new updates only.
	After uint64
}

func (f Filter) matches(u Update) bool {
	return (len(f.Topics) == 0 || slices.Contains(f.Topics, u.Topic)) && (f.Meter == 0 || f.Meter == u.Meter)
}

// Subscription receives the updates of one subscriber.
type Subscription struct {
	hub    *Hub
	filter Filter
	c      chan Update
	// dropped is set, under the hub's lock, when the hub closed c because
	// the subscriber fell behind.
	dropped bool
}

// Subscribe starts a subscription. When f.After is set and the hub no
// longer keeps every update after it, or more of them than fit the
// buffer, the first update is a TopicResync instead of the replay.
func (h *Hub) Subscribe(f Filter) *Subscription {
	s := &Subscription{hub: h, filter: f, c: make(chan Update, h.cfg.Buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	last := h.next - 1
	switch {
	case f.After == 0 || f.After == last:
	case f.After > last: // an id from another hub, before a restart
		s.c <- resync(last)
	default:
		var replay []Update
		for i := range h.ring {
			if u := h.ring[(h.head+i)%len(h.ring)]; u.ID > f.After && f.matches(u) {
				replay = append(replay, u)
			}
		}
		if h.ring[h.head].ID > f.After+1 || len(replay) > h.cfg.Buffer {
			s.c <- resync(last)
			break
		}
		for _, u := range replay {
			s.c <- u
		}
	}
	h.subs[s] = struct{}{}
	return s
}

func resync(id uint64) Update {
	return Update{ID: id, Topic: TopicResync, Data: json.RawMessage("{}")}
}

// C delivers the updates. It is closed when the subscription is closed or
// dropped.
func (s *Subscription) C() <-chan Update { return s.c }

// Dropped reports whether the hub dropped the subscriber for falling
// behind; meaningful once C is closed.
func (s *Subscription) Dropped() bool {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.dropped
}

// Close ends the subscription; closing twice is harmless.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	if _, ok := s.hub.subs[s]; ok {
		delete(s.hub.subs, s)
		close(s.c)
	}
}

// drop removes a subscriber that fell behind; h.mu is held.
func (h *Hub) drop(s *Subscription) {
	delete(h.subs, s)
	s.dropped = true
	close(s.c)
}

// Subscribers returns how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
