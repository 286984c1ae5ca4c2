package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

var commandKinds = []string{CmdReadNow, CmdConnect, CmdDisconnect, CmdCreditTopUp, CmdClockSync, CmdTariffUpdate}

// commandBody is the body of POST /api/v1/meters/{id}/commands.
type commandBody struct {
	Kind string `json:"kind"`
	// AmountMicros is the top-up in millionths of the meter's currency
	// (credit-top-up only).
	AmountMicros int64 `json:"amount_micros,omitempty"`
	// TariffID is the tariff to activate (tariff-update only).
	TariffID int64 `json:"tariff_id,omitempty"`
}

// maxTopUp bounds a credit top-up: a million currency units is a typo.
const maxTopUp = 1_000_000 * 1_000_000

func (b commandBody) check() error {
	if !slices.Contains(commandKinds, b.Kind) {
		return badBody("kind %q is not one of %s", b.Kind, strings.Join(commandKinds, ", "))
	}
	switch {
	case b.Kind == CmdCreditTopUp && (b.AmountMicros <= 0 || b.AmountMicros > maxTopUp):
		return badBody("amount_micros %d: a credit top-up needs an amount in (0, %d]", b.AmountMicros, int64(maxTopUp))
	case b.Kind != CmdCreditTopUp && b.AmountMicros != 0:
		return badBody("amount_micros is for credit-top-up, not %s", b.Kind)
	case b.Kind == CmdTariffUpdate && b.TariffID <= 0:
		return badBody("tariff_id %d: a tariff update needs the id of a tariff", b.TariffID)
	case b.Kind != CmdTariffUpdate && b.TariffID != 0:
		return badBody("tariff_id is for tariff-update, not %s", b.Kind)
	}
	return nil
}

// postCommand queues a command. The audit log gets an entry before the
// command is submitted — if that fails, nothing is submitted, so no
// command goes unrecorded — and one with the outcome after.
func (s *Server) postCommand(r *request) (any, error) {
	var b commandBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	if s.cfg.Commands == nil {
		return nil, unavailable("commands")
	}
	cmd := Command{Kind: b.Kind, Meter: m.ID, Actor: r.user.Name, Amount: b.AmountMicros, TariffID: b.TariffID}
	var id int64
	err = s.audited(r, "meter."+b.Kind, m.Serial, b, func(ctx context.Context) (map[string]any, error) {
		var err error
		id, err = s.cfg.Commands.Submit(ctx, cmd)
		return map[string]any{"job": id}, err
	})
	if err != nil {
		return nil, err
	}
	return s.jobAfterSubmit(r.Context(), id, cmd)
}

// jobAfterSubmit returns the new job as the jobs backend reports it, or
// as much as the command tells when there is no jobs backend.
func (s *Server) jobAfterSubmit(ctx context.Context, id int64, c Command) (jobView, error) {
	if s.cfg.Jobs != nil {
		j, err := s.cfg.Jobs.Job(ctx, id)
		if err != nil {
			return jobView{}, err
		}
		return viewJob(j), nil
	}
	return jobView{ID: id, Kind: c.Kind, Meter: c.Meter, State: JobQueued, Params: json.RawMessage("{}")}, nil
}

// audited runs act between two audit entries, "requested" and its
// outcome, both carrying params. An action that cannot be audited does
// not run.
func (s *Server) audited(r *request, action, target string, params any, act func(context.Context) (map[string]any, error)) error {
	ctx := r.Context()
	detail := func(stage string, extra map[string]any) json.RawMessage {
		d := map[string]any{"stage": stage, "params": params}
		for k, v := range extra {
			d[k] = v
		}
		b, _ := json.Marshal(d) // maps of JSON values marshal
		return b
	}
	entry := meta.AuditEntry{At: s.cfg.Now(), Actor: r.user.Name, Action: action, Target: target, Detail: detail("requested", nil)}
	if _, err := s.cfg.Audit.Audit(ctx, entry); err != nil {
		return fmt.Errorf("audit %s %s: %w", action, target, err)
	}
	extra, err := act(ctx)
	entry.At = s.cfg.Now()
	if err != nil {
		entry.Detail = detail("rejected", map[string]any{"error": backendError(err).message})
	} else {
		entry.Detail = detail("accepted", extra)
	}
	// The request is on record already; a failure here is logged, not
	// reported, since the action has happened.
	if _, aerr := s.cfg.Audit.Audit(context.WithoutCancel(ctx), entry); aerr != nil {
		s.log.Error("web: audit outcome", "action", action, "target", target, "err", aerr)
	}
	return err
}

// jobView is a job as the API shows it.
type jobView struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	Meter     store.MeterID   `json:"meter,omitempty"`
	State     string          `json:"state"`
	Progress  float64         `json:"progress"`
	Attempts  int             `json:"attempts"`
	Params    json.RawMessage `json:"params"`
	Result    string          `json:"result,omitempty"`
	DueAt     *time.Time      `json:"due_at,omitempty"`
	CreatedAt *time.Time      `json:"created_at,omitempty"`
	UpdatedAt *time.Time      `json:"updated_at,omitempty"`
}

func viewJob(j Job) jobView {
	params := j.Params
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	return jobView{
		ID: j.ID, Kind: j.Kind, Meter: j.Meter, State: string(j.State), Progress: j.Progress, Attempts: j.Attempts,
		Params: params, Result: j.Result, DueAt: opt(j.DueAt), CreatedAt: opt(j.CreatedAt), UpdatedAt: opt(j.UpdatedAt),
	}
}

var jobStates = []string{JobQueued, JobRunning, JobDone, JobFailed}

func (s *Server) listJobs(r *request) (any, error) {
	if s.cfg.Jobs == nil {
		return nil, unavailable("jobs")
	}
	before, err := r.cursor()
	if err != nil {
		return nil, err
	}
	js, err := s.cfg.Jobs.Jobs(r.Context(), JobQuery{
		Meter: store.MeterID(r.int("meter")), State: r.str("state"), Kind: r.str("kind"), Before: before, Limit: r.limit() + 1,
	})
	if err != nil {
		return nil, err
	}
	views := viewsOf(js, viewJob)
	return pageOf(views, r.limit(), func(j jobView) int64 { return j.ID }), nil
}

func (s *Server) getJob(r *request) (any, error) {
	if s.cfg.Jobs == nil {
		return nil, unavailable("jobs")
	}
	j, err := s.cfg.Jobs.Job(r.Context(), r.int("id"))
	if err != nil {
		return nil, err
	}
	return viewJob(j), nil
}

// campaignBody is the body of POST /api/v1/campaigns.
type campaignBody struct {
	Name   string          `json:"name"`
	Image  string          `json:"image"`
	Group  string          `json:"group,omitempty"`
	Meters []store.MeterID `json:"meters,omitempty"`
}

const maxCampaignMeters = 100_000

func (b campaignBody) check() error {
	switch {
	case strings.TrimSpace(b.Name) == "":
		return badBody("name is empty")
	case strings.TrimSpace(b.Image) == "":
		return badBody("image is empty; name the firmware image the head-end holds")
	case (b.Group == "") == (len(b.Meters) == 0):
		return badBody("give either group or meters, not both or neither")
	case len(b.Meters) > maxCampaignMeters:
		return badBody("%d meters; a campaign lists at most %d (use a group)", len(b.Meters), maxCampaignMeters)
	}
	for i, m := range b.Meters {
		if m == 0 {
			return badBody("meters[%d] is 0; meter ids start at 1", i)
		}
	}
	return nil
}

type campaignView struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Image     string    `json:"image"`
	Group     string    `json:"group,omitempty"`
	State     string    `json:"state"`
	Total     int       `json:"total"`
	Done      int       `json:"done"`
	Failed    int       `json:"failed"`
	Progress  float64   `json:"progress"` // (done + failed) / total
	Jobs      []int64   `json:"jobs"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewCampaign(c Campaign) campaignView {
	v := campaignView{
		ID: c.ID, Name: c.Name, Image: c.Image, Group: c.Group, State: c.State, Total: c.Total, Done: c.Done, Failed: c.Failed,
		Jobs: c.Jobs, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if v.Jobs == nil {
		v.Jobs = []int64{}
	}
	if c.Total > 0 {
		v.Progress = float64(c.Done+c.Failed) / float64(c.Total)
	}
	return v
}

func (s *Server) postCampaign(r *request) (any, error) {
	var b campaignBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	if s.cfg.Campaigns == nil {
		return nil, unavailable("campaigns")
	}
	var c Campaign
	err := s.audited(r, "campaign.create", b.Name, b, func(ctx context.Context) (map[string]any, error) {
		var err error
		c, err = s.cfg.Campaigns.CreateCampaign(ctx, CampaignSpec{Name: b.Name, Image: b.Image, Group: b.Group, Meters: b.Meters, Actor: r.user.Name})
		return map[string]any{"campaign": c.ID, "meters": c.Total}, err
	})
	if err != nil {
		return nil, err
	}
	return viewCampaign(c), nil
}

func (s *Server) listCampaigns(r *request) (any, error) {
	if s.cfg.Campaigns == nil {
		return nil, unavailable("campaigns")
	}
	cs, err := s.cfg.Campaigns.Campaigns(r.Context())
	if err != nil {
		return nil, err
	}
	views := viewsOf(cs, viewCampaign)
	return page[campaignView]{Items: views}, nil
}

func (s *Server) getCampaign(r *request) (any, error) {
	if s.cfg.Campaigns == nil {
		return nil, unavailable("campaigns")
	}
	c, err := s.cfg.Campaigns.Campaign(r.Context(), r.int("id"))
	if err != nil {
		return nil, err
	}
	return viewCampaign(c), nil
}
