package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// Head fakes the head-end's command path: web.Commands, web.Jobs and
// web.Campaigns. Each job runs in its own goroutine through queued →
// running → done (or failed, for a meter that is offline), publishing
// every step to the hub and changing the meter's status as the real
// command would.
type Head struct {
	b     *Backend
	delay time.Duration
	mu    sync.Mutex
	jobs  []*web.Job // jobs[i].ID == i+1
	camps []*campaign
	wg    sync.WaitGroup
	stop  chan struct{} // closed by Backend.Close: jobs stop pausing
	once  sync.Once
}

type campaign struct {
	web.Campaign
	meters []store.MeterID
}

func newHead(b *Backend, delay time.Duration) *Head {
	return &Head{b: b, delay: delay, stop: make(chan struct{})}
}

// finish runs the jobs in flight to their end without pauses.
func (h *Head) finish() {
	h.once.Do(func() { close(h.stop) })
	h.wg.Wait()
}

// Submit implements web.Commands.
func (h *Head) Submit(ctx context.Context, c web.Command) (int64, error) {
	st := h.b.Fleet.Status(c.Meter)
	switch c.Kind {
	case web.CmdCreditTopUp:
		if st.Credit == nil {
			return 0, fmt.Errorf("meter %d has no prepayment account: %w", c.Meter, web.ErrInvalid)
		}
	case web.CmdTariffUpdate:
		if _, err := h.b.Meta.Tariff(ctx, c.TariffID); err != nil {
			return 0, err
		}
	}
	params, _ := json.Marshal(map[string]any{"amount": c.Amount, "tariff": c.TariffID, "by": c.Actor})
	return h.start(c.Kind, c.Meter, params, func() (string, error) { return h.apply(c) }), nil
}

// start records a job and runs it.
func (h *Head) start(kind string, meter store.MeterID, params json.RawMessage, effect func() (string, error)) int64 {
	now := h.b.Now()
	h.mu.Lock()
	j := &web.Job{Job: meta.Job{ID: int64(len(h.jobs) + 1), Kind: kind, Meter: meter, Params: params, State: meta.JobQueued, DueAt: now, CreatedAt: now, UpdatedAt: now}}
	h.jobs = append(h.jobs, j)
	snapshot := *j
	h.mu.Unlock()
	h.b.Hub.PublishJob(snapshot)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.run(j.ID, meter, effect)
	}()
	return j.ID
}

func (h *Head) pause() {
	if h.delay > 0 {
		t := time.NewTimer(h.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-h.stop:
		}
	}
}

func (h *Head) run(id int64, meter store.MeterID, effect func() (string, error)) {
	h.pause()
	h.step(id, func(j *web.Job) { j.State, j.Attempts, j.Progress = meta.JobRunning, 1, 0.3 })
	h.pause()
	h.step(id, func(j *web.Job) { j.Progress = 0.7 })
	h.pause()
	if h.b.Fleet.Status(meter).Comms == web.CommsOffline {
		h.step(id, func(j *web.Job) {
			j.State, j.Attempts, j.Result = meta.JobFailed, 3, "no answer from the meter after 3 attempts"
		})
		return
	}
	result, err := effect()
	h.step(id, func(j *web.Job) {
		j.State, j.Progress, j.Result = meta.JobDone, 1, result
		if err != nil {
			j.State, j.Result = meta.JobFailed, err.Error()
		}
	})
}

// step changes job id and publishes it.
func (h *Head) step(id int64, fn func(*web.Job)) {
	h.mu.Lock()
	j := h.jobs[id-1]
	fn(j)
	j.UpdatedAt = h.b.Now()
	snapshot := *j
	h.mu.Unlock()
	h.b.Hub.PublishJob(snapshot)
}

// apply carries out a command's effect on the meter's status.
func (h *Head) apply(c web.Command) (string, error) {
	var result string
	st := h.b.Fleet.update(c.Meter, func(s *web.MeterStatus) {
		s.LastSeen = h.b.Now()
		switch c.Kind {
		case web.CmdConnect:
			s.Supply, result = web.SupplyConnected, "supply connected"
		case web.CmdDisconnect:
			s.Supply, result = web.SupplyDisconnected, "supply disconnected"
		case web.CmdCreditTopUp:
			s.Credit.Balance += c.Amount
			s.Credit.Updated = h.b.Now()
			result = fmt.Sprintf("credit %.2f %s", float64(s.Credit.Balance)/1e6, s.Credit.Currency)
		case web.CmdClockSync:
			result = "clock set; offset was +1.8 s"
		case web.CmdReadNow:
			result = "read 12 registers"
		case web.CmdTariffUpdate:
			result = fmt.Sprintf("tariff %d activated", c.TariffID)
		}
	})
	h.b.Hub.PublishMeterStatus(c.Meter, st)
	return result, nil
}

// Job implements web.Jobs.
func (h *Head) Job(_ context.Context, id int64) (web.Job, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id < 1 || id > int64(len(h.jobs)) {
		return web.Job{}, fmt.Errorf("job %d: %w", id, web.ErrNotFound)
	}
	return *h.jobs[id-1], nil
}

// Jobs implements web.Jobs.
func (h *Head) Jobs(_ context.Context, q web.JobQuery) ([]web.Job, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []web.Job
	for i := len(h.jobs) - 1; i >= 0 && len(out) < q.Limit; i-- {
		j := h.jobs[i]
		if (q.Before == 0 || j.ID < q.Before) && (q.Meter == 0 || j.Meter == q.Meter) &&
			(q.State == "" || string(j.State) == q.State) && (q.Kind == "" || j.Kind == q.Kind) {
			out = append(out, *j)
		}
	}
	return out, nil
}

// CreateCampaign implements web.Campaigns: one firmware job per meter.
func (h *Head) CreateCampaign(ctx context.Context, spec web.CampaignSpec) (web.Campaign, error) {
	meters := spec.Meters
	if spec.Group != "" {
		ms, err := h.b.Meta.Meters(ctx, meta.MeterFilter{Group: spec.Group})
		if err != nil {
			return web.Campaign{}, err
		}
		for _, m := range ms {
			meters = append(meters, m.ID)
		}
		if len(meters) == 0 {
			return web.Campaign{}, fmt.Errorf("group %q has no meters: %w", spec.Group, web.ErrNotFound)
		}
	}
	for _, id := range meters {
		if _, err := h.b.Meta.Meter(ctx, id); err != nil {
			return web.Campaign{}, err
		}
	}
	h.mu.Lock()
	for _, c := range h.camps {
		if c.State == web.CampaignRunning && slices.ContainsFunc(meters, func(id store.MeterID) bool { return slices.Contains(c.meters, id) }) {
			h.mu.Unlock()
			return web.Campaign{}, fmt.Errorf("campaign %d is still updating some of these meters: %w", c.ID, web.ErrConflict)
		}
	}
	now := h.b.Now()
	c := &campaign{Campaign: web.Campaign{ID: int64(len(h.camps) + 1), Name: spec.Name, Image: spec.Image, Group: spec.Group,
		State: web.CampaignRunning, Total: len(meters), CreatedBy: spec.Actor, CreatedAt: now, UpdatedAt: now}, meters: meters}
	h.camps = append(h.camps, c)
	h.mu.Unlock()
	params, _ := json.Marshal(map[string]any{"image": spec.Image, "campaign": c.ID})
	for _, id := range meters {
		jid := h.start("firmware", id, params, func() (string, error) {
			m, err := h.b.Meta.Meter(context.WithoutCancel(ctx), id)
			if err != nil {
				return "", err
			}
			m.Firmware = spec.Image
			return "image " + spec.Image + " activated", h.b.Meta.UpdateMeter(context.WithoutCancel(ctx), m)
		})
		h.mu.Lock()
		c.Jobs = append(c.Jobs, jid)
		h.mu.Unlock()
	}
	return h.Campaign(ctx, c.ID)
}

// Campaign implements web.Campaigns; counts come from the jobs' states.
func (h *Head) Campaign(_ context.Context, id int64) (web.Campaign, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id < 1 || id > int64(len(h.camps)) {
		return web.Campaign{}, fmt.Errorf("campaign %d: %w", id, web.ErrNotFound)
	}
	return h.counted(h.camps[id-1]), nil
}

// counted returns c with its counts; h.mu is held.
func (h *Head) counted(c *campaign) web.Campaign {
	out := c.Campaign
	out.Jobs = slices.Clone(c.Jobs)
	out.Done, out.Failed = 0, 0
	for _, jid := range c.Jobs {
		switch h.jobs[jid-1].State {
		case meta.JobDone:
			out.Done++
		case meta.JobFailed:
			out.Failed++
		}
	}
	if out.Done+out.Failed == out.Total {
		out.State = web.CampaignDone
	}
	c.State = out.State
	return out
}

// Campaigns implements web.Campaigns.
func (h *Head) Campaigns(context.Context) ([]web.Campaign, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]web.Campaign, 0, len(h.camps))
	for i := len(h.camps) - 1; i >= 0; i-- {
		out = append(out, h.counted(h.camps[i]))
	}
	return out, nil
}
