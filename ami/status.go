package ami

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/web"
)

// OfflineAfter is how long a meter may stay unheard (no read, command or
// push answered) before it counts as offline: four missed 15-minute
// reads.
const OfflineAfter = time.Hour

// statusBucket is the bus key-value bucket that holds every meter's
// status, so that all processes — head-end nodes write it, web nodes read
// it — see the same.
const statusBucket = "amigo_meter_status"

// meterState is what is known of a meter's live status, as stored.
type meterState struct {
	LastSeen time.Time    `json:"seen,omitzero"` // the meter last answered (a read, a command, a push)
	LastFail time.Time    `json:"fail,omitzero"` // the last exchange it did not answer
	Reason   string       `json:"reason,omitempty"`
	Supply   string       `json:"supply,omitempty"` // web.SupplyConnected, …
	Credit   *creditState `json:"credit,omitempty"`
	Reads    []hourReads  `json:"reads,omitempty"` // reads per hour, the last 24 hours
	// Appliances names the NILM module's appliance ids, from the latest
	// appliance read (scheduled group reads included).
	Appliances map[uint16]string `json:"appliances,omitempty"`
}

type creditState struct {
	Micros   int64     `json:"micros"`
	Currency string    `json:"currency"`
	Scale    int8      `json:"scale"` // of the meter's credit units (cents: −2)
	Updated  time.Time `json:"updated"`
}

// creditScale is the scale of the meter's credit units.
func (s meterState) creditScale() int8 {
	if s.Credit == nil {
		return 0
	}
	return s.Credit.Scale
}

// hourReads counts the reads due in one hour and those that succeeded.
type hourReads struct {
	Hour int64 `json:"h"` // Unix hours
	OK   int   `json:"ok"`
	All  int   `json:"all"`
}

// view is the status the API shows at now.
func (s meterState) view(now time.Time) web.MeterStatus {
	v := web.MeterStatus{Supply: s.Supply, LastSeen: s.LastSeen, CommsSuccess: -1}
	switch {
	case s.LastSeen.IsZero() && s.LastFail.IsZero():
		v.Comms = web.CommsUnknown
	case s.LastFail.After(s.LastSeen) || now.Sub(s.LastSeen) > OfflineAfter:
		v.Comms = web.CommsOffline
	default:
		v.Comms = web.CommsOnline
	}
	ok, all := 0, 0
	for _, h := range s.Reads {
		if now.Unix()/3600-h.Hour < 24 {
			ok, all = ok+h.OK, all+h.All
		}
	}
	if all > 0 {
		v.CommsSuccess = float64(ok) / float64(all)
	}
	if c := s.Credit; c != nil {
		v.Credit = &web.Credit{Balance: c.Micros, Currency: c.Currency, Updated: c.Updated}
	}
	return v
}

// countRead records a read due at t.
func (s *meterState) countRead(t time.Time, ok bool) {
	h := t.Unix() / 3600
	s.Reads = slices.DeleteFunc(s.Reads, func(r hourReads) bool { return h-r.Hour >= 24 })
	if n := len(s.Reads); n == 0 || s.Reads[n-1].Hour != h {
		s.Reads = append(s.Reads, hourReads{Hour: h})
	}
	r := &s.Reads[len(s.Reads)-1]
	r.All++
	if ok {
		r.OK++
	}
}

// commsFailure reports whether err means the meter was not reached (as
// opposed to reached and refusing, which it answered).
func commsFailure(err error) bool {
	switch conn.Reason(err) {
	case "timeout", "unreachable", "wrong-key", "protocol":
		return true
	}
	return false
}

var readKinds = []hes.Kind{hes.ReadProfile, hes.ReadRegisters, hes.ReadEvents, hes.ReadStatus, hes.ReadPowerQuality}

var supplyStates = map[string]string{
	"connected": web.SupplyConnected, "disconnected": web.SupplyDisconnected, "ready_for_reconnection": web.SupplyReady,
}

// apply folds a head-end outcome into the state.
func (s *meterState) apply(o hes.Outcome) {
	if o.Err != nil && commsFailure(o.Err) {
		s.LastFail, s.Reason = o.At, conn.Reason(o.Err)
	} else if o.At.After(s.LastSeen) {
		s.LastSeen = o.At
	}
	if slices.Contains(readKinds, o.Kind) {
		s.countRead(o.At, o.Err == nil)
	}
	setCredit := func(c *hes.CreditResult) {
		if c == nil {
			s.Credit = nil
			return
		}
		cur := c.Currency
		if cur == "" && s.Credit != nil {
			cur = s.Credit.Currency
		}
		s.Credit = &creditState{Micros: scaleMicros(c.Credit, c.Scale), Currency: cur, Scale: c.Scale, Updated: o.At}
	}
	switch r := o.Result.(type) {
	case hes.SupplyResult:
		s.Supply = supplyStates[r.State]
	case hes.CreditResult:
		setCredit(&r)
	case hes.AppliancesResult:
		s.Appliances = make(map[uint16]string, len(r.Appliances))
		for _, a := range r.Appliances {
			s.Appliances[a.ID] = a.Label
		}
	case hes.StatusResult:
		if r.Supply != nil {
			s.Supply = supplyStates[r.Supply.State]
		}
		setCredit(r.Credit)
	}
}

// scaleMicros turns v × 10^scale units into millionths of a unit.
func scaleMicros(v int64, scale int8) int64 {
	e := int(scale) + 6
	switch {
	case e >= 0:
		return v * int64(math.Pow10(e))
	default:
		return v / int64(math.Pow10(-e))
	}
}

// statusBook keeps every meter's status in the bus bucket, with a short
// cache: writes from this process are seen at once, other processes'
// within cacheFor.
type statusBook struct {
	kv   *bus.KV
	now  func() time.Time // the system clock (simulated in the demo)
	wall func() time.Time // for the cache's age
	hub  *web.Hub         // nil: no live updates
	log  *slog.Logger

	mu    sync.Mutex
	cache map[store.MeterID]cachedState
}

type cachedState struct {
	st      meterState
	rev     uint64 // 0: not in the bucket yet
	fetched time.Time
}

// cacheFor is how long a status read from the bucket is trusted.
const cacheFor = 2 * time.Second

// seenEvery spaces the writes that only move a meter's last-seen time
// (pushes arrive every few minutes from every meter): the comms state
// does not change within it.
const seenEvery = 5 * time.Minute

func newStatusBook(ctx context.Context, b *bus.Bus, now, wall func() time.Time, hub *web.Hub, log *slog.Logger) (*statusBook, error) {
	kv, err := b.KeyValue(ctx, statusBucket, 0)
	if err != nil {
		return nil, fmt.Errorf("meter status bucket: %w", err)
	}
	return &statusBook{kv: kv, now: now, wall: wall, hub: hub, log: log, cache: map[store.MeterID]cachedState{}}, nil
}

func statusKey(id store.MeterID) string { return "m" + strconv.FormatUint(uint64(id), 10) }

// get returns the stored state of meter id (zero if none) and its
// revision.
func (b *statusBook) get(ctx context.Context, id store.MeterID) (meterState, uint64, error) {
	b.mu.Lock()
	c, ok := b.cache[id]
	b.mu.Unlock()
	if ok && b.wall().Sub(c.fetched) < cacheFor {
		return c.st, c.rev, nil
	}
	var st meterState
	e, err := b.kv.Get(ctx, statusKey(id))
	switch {
	case errors.Is(err, bus.ErrNotFound):
		e.Revision = 0
	case err != nil:
		return st, 0, err
	default:
		if err := json.Unmarshal(e.Value, &st); err != nil {
			b.log.Warn("ami: meter status unreadable; starting afresh", "meter", id, "err", err)
			st = meterState{}
		}
	}
	b.remember(id, st, e.Revision)
	return st, e.Revision, nil
}

func (b *statusBook) remember(id store.MeterID, st meterState, rev uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cache[id] = cachedState{st: st, rev: rev, fetched: b.wall()}
}

// Status returns meter id's status now.
func (b *statusBook) Status(ctx context.Context, id store.MeterID) (web.MeterStatus, error) {
	st, _, err := b.get(ctx, id)
	if err != nil {
		return web.MeterStatus{}, err
	}
	return st.view(b.now()), nil
}

// update changes meter id's state with fn, compare-and-set against other
// writers, and announces the status if the API would show it differently.
func (b *statusBook) update(ctx context.Context, id store.MeterID, fn func(*meterState)) error {
	for attempt := 0; ; attempt++ {
		st, rev, err := b.get(ctx, id)
		if err != nil {
			return err
		}
		before := st.view(b.now())
		st.Reads = slices.Clone(st.Reads)
		if st.Credit != nil {
			c := *st.Credit
			st.Credit = &c
		}
		fn(&st)
		val, _ := json.Marshal(st)
		if rev == 0 {
			rev, err = b.kv.Create(ctx, statusKey(id), val)
		} else {
			rev, err = b.kv.Update(ctx, statusKey(id), val, rev)
		}
		if errors.Is(err, bus.ErrConflict) && attempt < 8 {
			b.forget(id) // another process wrote it: read it again
			continue
		}
		if err != nil {
			return err
		}
		b.remember(id, st, rev)
		if after := st.view(b.now()); b.hub != nil && changed(before, after) {
			b.hub.PublishMeterStatus(id, after)
		}
		return nil
	}
}

func (b *statusBook) forget(id store.MeterID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.cache, id)
}

// changed reports whether a console would show the status differently
// (the last-seen time alone does not count: it moves all the time).
func changed(a, b web.MeterStatus) bool {
	if a.Comms != b.Comms || a.Supply != b.Supply || (a.Credit == nil) != (b.Credit == nil) {
		return true
	}
	return a.Credit != nil && a.Credit.Balance != b.Credit.Balance
}

// Outcome records how an operation on a meter ended (hes.Config.OnOutcome).
func (b *statusBook) Outcome(o hes.Outcome) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.update(ctx, o.Meter.ID, func(s *meterState) { s.apply(o) }); err != nil {
		b.log.Warn("ami: meter status not recorded", "meter", o.Meter.Serial, "err", err)
	}
}

// Seen records that readings of meter id arrived at at (a push, or a read
// stored by the MDM). Writes that would only move the last-seen time a
// little are skipped.
func (b *statusBook) Seen(ctx context.Context, id store.MeterID, at time.Time) {
	st, _, err := b.get(ctx, id)
	if err == nil && st.view(at).Comms == web.CommsOnline && at.Sub(st.LastSeen) < seenEvery {
		return
	}
	if err := b.update(ctx, id, func(s *meterState) {
		if at.After(s.LastSeen) {
			s.LastSeen = at
		}
	}); err != nil {
		b.log.Warn("ami: meter status not recorded", "meter", id, "err", err)
	}
}
