package hes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Kind names what a job does. Each kind's parameters are a JSON object
// (the XxxParams types); its result is JSON too.
type Kind string

// Job kinds. Meter jobs name a meter; group jobs (FirmwareCampaign,
// DemandResponse, and any read given a group) fan out over a group.
const (
	ReadProfile      Kind = "read-profile"       // ProfileParams → ReadResult
	ReadRegisters    Kind = "read-registers"     // RegistersParams → ReadResult
	ReadEvents       Kind = "read-events"        // EventsParams → ReadResult
	ReadStatus       Kind = "read-status"        // no params → StatusResult
	ReadPowerQuality Kind = "read-power-quality" // PowerQualityParams → PowerQualityResult
	ReadAppliances   Kind = "read-appliances"    // AppliancesParams → AppliancesResult
	Disconnect       Kind = "disconnect"         // no params → SupplyResult
	Reconnect        Kind = "reconnect"          // no params → SupplyResult
	CreditTopUp      Kind = "credit-top-up"      // CreditParams → CreditResult
	ClockSync        Kind = "clock-sync"         // ClockParams → ClockResult
	SetAttribute     Kind = "set"                // SetParams → {}
	SetTariff        Kind = "tariff"             // TariffParams → {}
	SetPush          Kind = "push-setup"         // PushSetupParams → {}
	RotateKeys       Kind = "key-rotation"       // no params → KeyResult
	FirmwareCampaign Kind = "firmware-campaign"  // FirmwareParams (group) → CampaignResult
	DemandResponse   Kind = "demand-response"    // DemandParams (group) → DemandResult
)

// Request is a job to submit.
type Request struct {
	Kind Kind
	// Meter is the meter's serial, for meter jobs; Group the group, for
	// group jobs (a meter job given a group runs on each of its meters).
	Meter, Group string
	// Params are the kind's parameters (nil for none).
	Params json.RawMessage
	// Actor is who asked (a user, "schedule:NAME"); audited.
	Actor string
	// DueAt delays the job (zero: now).
	DueAt time.Time
	// Jitter spreads a group job's meters over this window, each at its
	// stable offset (schedule.Offset), so a fleet is not called at once.
	Jitter time.Duration
}

// Job is a job's record: what it is, where it is, what came of it.
type Job struct {
	ID                          int64
	Kind                        Kind
	Meter                       string // serial; "" for group jobs
	Group                       string
	Actor                       string
	Params                      json.RawMessage
	Jitter                      time.Duration // spread of a group job's meters
	State                       meta.JobState // queued, running, done, failed
	Progress                    Progress
	Result                      json.RawMessage // the kind's result, or {"error": …, "reason": …}
	Attempts                    int
	DueAt, CreatedAt, UpdatedAt time.Time
}

// envelope is what the meta jobs table holds in params.
type envelope struct {
	Group    string          `json:"group,omitempty"`
	JitterMs int64           `json:"jitter_ms,omitempty"`
	Actor    string          `json:"actor"`
	Params   json.RawMessage `json:"params,omitempty"`
}

// queued is the JOBS work-queue message: a job id, or (from another
// producer) a request to create one.
type queued struct {
	Job    int64           `json:"job,omitempty"`
	Kind   Kind            `json:"kind,omitempty"`
	Meter  string          `json:"meter,omitempty"`
	Group  string          `json:"group,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Actor  string          `json:"actor,omitempty"`
}

// ErrBadRequest is wrapped by errors about a request that cannot run.
var ErrBadRequest = errors.New("hes: bad job request")

// Submit records a job (queued, audited) and hands it to a worker: over
// the bus JOBS queue when there is a bus (any head-end node may run it),
// else in this process. It returns the job's id.
func (h *HeadEnd) Submit(ctx context.Context, r Request) (int64, error) {
	j, err := h.createJob(ctx, r)
	if err != nil {
		return 0, err
	}
	if err := h.dispatch(ctx, j, r); err != nil {
		return j.ID, err
	}
	return j.ID, nil
}

func (h *HeadEnd) createJob(ctx context.Context, r Request) (meta.Job, error) {
	spec, ok := kinds[r.Kind]
	if !ok {
		return meta.Job{}, fmt.Errorf("%w: unknown kind %q", ErrBadRequest, r.Kind)
	}
	if r.Actor == "" {
		r.Actor = "system"
	}
	var meterID store.MeterID
	switch {
	case r.Meter != "" && r.Group != "":
		return meta.Job{}, fmt.Errorf("%w: %s names both meter %s and group %s", ErrBadRequest, r.Kind, r.Meter, r.Group)
	case r.Meter != "":
		if spec.group != nil {
			return meta.Job{}, fmt.Errorf("%w: %s runs on a group, not meter %s", ErrBadRequest, r.Kind, r.Meter)
		}
		m, ok := h.reg.BySerial(r.Meter)
		if !ok {
			return meta.Job{}, fmt.Errorf("%w: meter %s: %w", ErrBadRequest, r.Meter, registry.ErrUnknownMeter)
		}
		meterID = m.ID
	case r.Group != "":
		if len(h.groupMeters(r.Group)) == 0 {
			return meta.Job{}, fmt.Errorf("%w: group %q has no meters", ErrBadRequest, r.Group)
		}
	default:
		return meta.Job{}, fmt.Errorf("%w: %s needs a meter or a group", ErrBadRequest, r.Kind)
	}
	if len(r.Params) > 0 && spec.check != nil {
		if err := spec.check(r.Params); err != nil {
			return meta.Job{}, fmt.Errorf("%w: %s: %w", ErrBadRequest, r.Kind, err)
		}
	}
	if r.DueAt.IsZero() {
		// Due now on the head-end's clock, which runJob compares with
		// (the store may keep another).
		r.DueAt = h.cfg.Clock.Now()
	}
	env, _ := json.Marshal(envelope{Group: r.Group, JitterMs: r.Jitter.Milliseconds(), Actor: r.Actor, Params: r.Params})
	id, err := h.db.CreateJob(ctx, meta.Job{Kind: string(r.Kind), Meter: meterID, Params: env, DueAt: r.DueAt})
	if err != nil {
		return meta.Job{}, err
	}
	target := r.Meter
	if target == "" {
		target = "group " + r.Group
	}
	detail, _ := json.Marshal(map[string]any{"job": id, "params": r.Params})
	if _, err := h.db.Audit(ctx, meta.AuditEntry{Actor: r.Actor, Action: "job.submit." + string(r.Kind), Target: target, Detail: detail}); err != nil {
		return meta.Job{}, err
	}
	return meta.Job{ID: id, Kind: string(r.Kind), Meter: meterID}, nil
}

// dispatch queues job j for a worker.
func (h *HeadEnd) dispatch(ctx context.Context, j meta.Job, r Request) error {
	if h.cfg.Bus != nil {
		subject := r.Meter
		if subject == "" {
			subject = "group." + r.Group
		}
		body, _ := json.Marshal(queued{Job: j.ID})
		if err := h.cfg.Bus.Publish(ctx, bus.JobsSubject(subject), fmt.Sprintf("job-%d", j.ID), body); err != nil {
			return fmt.Errorf("hes: job %d queued in the store but not on the bus: %w", j.ID, err)
		}
		return nil
	}
	select {
	case h.local <- j.ID:
	default:
		go func() { h.local <- j.ID }() // the queue is full: wait without blocking the caller
	}
	return nil
}

// Job returns job id.
func (h *HeadEnd) Job(ctx context.Context, id int64) (Job, error) {
	mj, err := h.db.Job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	return h.fromMeta(mj), nil
}

// JobFilter selects jobs; zero fields select everything.
type JobFilter struct {
	Kind  Kind
	Meter string
	State meta.JobState
	Limit int
}

// Jobs returns the jobs f selects, newest first.
func (h *HeadEnd) Jobs(ctx context.Context, f JobFilter) ([]Job, error) {
	mf := meta.JobFilter{Kind: string(f.Kind), State: f.State, Limit: f.Limit}
	if f.Meter != "" {
		m, ok := h.reg.BySerial(f.Meter)
		if !ok {
			return nil, fmt.Errorf("hes: meter %s: %w", f.Meter, registry.ErrUnknownMeter)
		}
		mf.Meter = m.ID
	}
	mjs, err := h.db.Jobs(ctx, mf)
	if err != nil {
		return nil, err
	}
	out := make([]Job, len(mjs))
	for i, mj := range mjs {
		out[i] = h.fromMeta(mj)
	}
	return out, nil
}

func (h *HeadEnd) fromMeta(mj meta.Job) Job {
	var env envelope
	json.Unmarshal(mj.Params, &env)
	j := Job{ID: mj.ID, Kind: Kind(mj.Kind), Group: env.Group, Actor: env.Actor, Params: env.Params, Jitter: time.Duration(env.JitterMs) * time.Millisecond, State: mj.State,
		Attempts: mj.Attempts, DueAt: mj.DueAt, CreatedAt: mj.CreatedAt, UpdatedAt: mj.UpdatedAt}
	if m, ok := h.reg.Meter(mj.Meter); ok {
		j.Meter = m.Serial
	}
	if mj.Result != "" {
		j.Result = json.RawMessage(mj.Result)
	}
	if mj.Progress != "" {
		json.Unmarshal([]byte(mj.Progress), &j.Progress)
	}
	return j
}

// Progress is how far a running job got: of Total meters (a group job's;
// 1 for a meter job), Done succeeded and Failed failed so far; Note says
// more ("wave 2").
type Progress struct {
	Total  int    `json:"total"`
	Done   int    `json:"done"`
	Failed int    `json:"failed"`
	Note   string `json:"note,omitempty"`
}

// Fraction is the share of the meters dealt with, in [0, 1].
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return 0
	}
	return min(1, float64(p.Done+p.Failed)/float64(p.Total))
}

// failure is the result of a failed job.
type failure struct {
	Error  string `json:"error"`
	Reason string `json:"reason"`
	Result any    `json:"result,omitempty"` // what was done before it failed
}

// runJob runs job id to its end: started (or taken over), executed,
// finished with its result, audited. A job already finished is skipped.
func (h *HeadEnd) runJob(ctx context.Context, id int64) error {
	mj, err := h.db.StartJob(ctx, id, h.cfg.JobLease)
	if errors.Is(err, meta.ErrNotFound) {
		return nil // done already (a redelivery)
	}
	if err != nil {
		return err
	}
	j := h.fromMeta(mj)
	if wait := j.DueAt.Sub(h.cfg.Clock.Now()); wait > 0 {
		select {
		case <-h.cfg.Clock.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h.m.running.Inc()
	defer h.m.running.Dec()
	log := h.log.With("job", id, "kind", j.Kind, "meter", j.Meter, "group", j.Group)
	res, err := h.execute(ctx, j)
	if ctx.Err() != nil && err != nil {
		return err // stopping: the job stays running; its lease returns it
	}
	state, body := meta.JobDone, res
	if err != nil {
		state = meta.JobFailed
		body = failure{Error: err.Error(), Reason: conn.Reason(err), Result: res}
		log.Warn("hes: job failed", "reason", conn.Reason(err), "err", err)
		if errors.Is(err, conn.ErrWrongKey) && j.Meter != "" {
			h.wrongKeyAlarm(ctx, j.Meter, err)
		}
	}
	out, _ := json.Marshal(body)
	if ferr := h.db.FinishJob(ctx, id, state, string(out)); ferr != nil {
		return ferr
	}
	h.m.jobs.WithLabelValues(string(j.Kind), string(state)).Inc()
	target := j.Meter
	if target == "" {
		target = "group " + j.Group
	}
	_, aerr := h.db.Audit(ctx, meta.AuditEntry{Actor: "hes:" + h.cfg.Node, Action: "job." + string(state) + "." + string(j.Kind), Target: target, Detail: out})
	return aerr
}

// progress records a running job's progress, renewing its lease.
func (h *HeadEnd) progress(ctx context.Context, id int64, p Progress) {
	text, _ := json.Marshal(p)
	if err := h.db.JobProgress(ctx, id, string(text), h.cfg.JobLease); err != nil {
		h.log.Debug("hes: job progress not recorded", "job", id, "err", err)
	}
}

// wrongKeyAlarm raises the alarm of a meter that refuses our keys.
func (h *HeadEnd) wrongKeyAlarm(ctx context.Context, serial string, err error) {
	m, ok := h.reg.BySerial(serial)
	if !ok {
		return
	}
	if _, aerr := h.db.RaiseAlarm(ctx, meta.Alarm{Meter: m.ID, Kind: "wrong-key", Severity: "critical",
		Message: fmt.Sprintf("meter %s refuses the keys of key set %q (after resynchronising the invocation counter); not retried: %v", serial, m.KeysRef, err)}); aerr != nil {
		h.log.Error("hes: alarm not raised", "meter", serial, "err", aerr)
	}
}

// Wait returns job id once it is done or failed, checking every poll (1 s
// when 0) on the head-end's clock.
func (h *HeadEnd) Wait(ctx context.Context, id int64, poll time.Duration) (Job, error) {
	if poll <= 0 {
		poll = time.Second
	}
	for {
		j, err := h.Job(ctx, id)
		if err != nil || j.State == meta.JobDone || j.State == meta.JobFailed {
			return j, err
		}
		select {
		case <-h.cfg.Clock.After(poll):
		case <-ctx.Done():
			return j, ctx.Err()
		}
	}
}
