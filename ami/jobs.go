package ami

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// jobs is web.Jobs and web.Campaigns over the head-end's jobs; a
// firmware campaign is one firmware-campaign job.
type jobs struct {
	head     *hes.HeadEnd
	meta     *meta.DB
	tokenKey []byte // to show a top-up token as its amount
}

// Job implements web.Jobs.
func (j jobs) Job(ctx context.Context, id int64) (web.Job, error) {
	hj, err := j.head.Job(ctx, id)
	if err != nil {
		return web.Job{}, err
	}
	return j.view(ctx, hj), nil
}

// Jobs implements web.Jobs. The metadata store pages from the newest job
// only, so a page further down asks for more jobs, doubling, until it
// has enough below q.Before.
func (j jobs) Jobs(ctx context.Context, q web.JobQuery) ([]web.Job, error) {
	f := hes.JobFilter{Kind: hes.Kind(q.Kind), State: meta.JobState(q.State)}
	if q.Meter != 0 {
		m, err := j.meta.Meter(ctx, q.Meter)
		if err != nil {
			return nil, err
		}
		f.Meter = m.Serial
	}
	for limit := q.Limit; ; limit *= 2 {
		f.Limit = limit
		hjs, err := j.head.Jobs(ctx, f)
		if err != nil {
			return nil, err
		}
		var out []web.Job
		for _, hj := range hjs {
			if (q.Before == 0 || hj.ID < q.Before) && len(out) < q.Limit {
				out = append(out, j.view(ctx, hj))
			}
		}
		if len(out) == q.Limit || len(hjs) < limit {
			return out, nil
		}
	}
}

// view is a head-end job as the API shows it.
func (j jobs) view(ctx context.Context, hj hes.Job) web.Job {
	mj := meta.Job{ID: hj.ID, Kind: string(hj.Kind), State: hj.State, Attempts: hj.Attempts, Params: j.params(ctx, hj),
		Result: summary(hj), DueAt: hj.DueAt, CreatedAt: hj.CreatedAt, UpdatedAt: hj.UpdatedAt}
	if hj.Meter != "" {
		if m, err := j.meta.MeterBySerial(ctx, hj.Meter); err == nil {
			mj.Meter = m.ID
		}
	}
	v := web.Job{Job: mj, Progress: hj.Progress.Fraction()}
	if hj.State == meta.JobDone || hj.State == meta.JobFailed {
		v.Progress = 1
	}
	return v
}

// params are a job's parameters as shown: a top-up token, which would
// credit the meter if replayed before the meter saw it, is shown as its
// id and amount.
func (j jobs) params(ctx context.Context, hj hes.Job) json.RawMessage {
	if hj.Kind != hes.CreditTopUp {
		return hj.Params
	}
	var p hes.CreditParams
	if json.Unmarshal(hj.Params, &p) != nil || p.Token == "" {
		return hj.Params
	}
	shown := map[string]any{"token": "[redacted]"}
	if b, err := hex.DecodeString(p.Token); err == nil && len(j.tokenKey) > 0 {
		if t, err := prepay.ParseToken(j.tokenKey, hj.Meter, b); err == nil {
			shown["token_id"], shown["amount_micros"] = t.ID, int64(t.Amount)/1000
		}
	}
	out, _ := json.Marshal(shown)
	return out
}

// campaignParams is what a campaign job carries besides hes's
// FirmwareParams: the operator's name for it.
type campaignParams struct {
	hes.FirmwareParams
	Name string `json:"name"`
}

// CreateCampaign implements web.Campaigns: one firmware-campaign job on
// the group, or on every meter limited to the list.
func (j jobs) CreateCampaign(ctx context.Context, spec web.CampaignSpec) (web.Campaign, error) {
	p := campaignParams{FirmwareParams: hes.FirmwareParams{Identifier: spec.Image}, Name: spec.Name}
	group := spec.Group
	if group == "" {
		group = hes.AllMeters
		for _, id := range spec.Meters {
			m, err := j.meta.Meter(ctx, id)
			if err != nil {
				return web.Campaign{}, err
			}
			p.Meters = append(p.Meters, m.Serial)
		}
	}
	params, err := json.Marshal(p)
	if err != nil {
		return web.Campaign{}, err
	}
	id, err := j.head.Submit(ctx, hes.Request{Kind: hes.FirmwareCampaign, Group: group, Params: params, Actor: spec.Actor})
	if errors.Is(err, hes.ErrBadRequest) {
		return web.Campaign{}, fmt.Errorf("%w: %w", web.ErrInvalid, err)
	}
	if err != nil {
		return web.Campaign{}, err
	}
	return j.Campaign(ctx, id)
}

// Campaign implements web.Campaigns.
func (j jobs) Campaign(ctx context.Context, id int64) (web.Campaign, error) {
	hj, err := j.head.Job(ctx, id)
	if err != nil {
		return web.Campaign{}, err
	}
	if hj.Kind != hes.FirmwareCampaign {
		return web.Campaign{}, fmt.Errorf("campaign %d: %w", id, web.ErrNotFound)
	}
	return j.campaign(ctx, hj), nil
}

// Campaigns implements web.Campaigns.
func (j jobs) Campaigns(ctx context.Context) ([]web.Campaign, error) {
	hjs, err := j.head.Jobs(ctx, hes.JobFilter{Kind: hes.FirmwareCampaign})
	if err != nil {
		return nil, err
	}
	out := make([]web.Campaign, len(hjs))
	for i, hj := range hjs {
		out[i] = j.campaign(ctx, hj)
	}
	return out, nil
}

func (j jobs) campaign(ctx context.Context, hj hes.Job) web.Campaign {
	var p campaignParams
	json.Unmarshal(hj.Params, &p)
	c := web.Campaign{ID: hj.ID, Name: p.Name, Image: p.Identifier, Group: hj.Group, State: web.CampaignRunning, Jobs: []int64{hj.ID},
		CreatedBy: hj.Actor, CreatedAt: hj.CreatedAt, UpdatedAt: hj.UpdatedAt,
		Total: hj.Progress.Total, Done: hj.Progress.Done, Failed: hj.Progress.Failed}
	if c.Group == hes.AllMeters {
		c.Group = ""
	}
	if c.Total == 0 { // not started: the meters it will cover
		c.Total = len(p.Meters)
		if c.Total == 0 {
			c.Total = j.groupSize(ctx, hj.Group)
		}
	}
	if hj.State == meta.JobDone || hj.State == meta.JobFailed {
		c.State = web.CampaignDone
		var res struct {
			hes.CampaignResult
			Result *hes.CampaignResult `json:"result"` // what a failed job did before it failed
		}
		if json.Unmarshal(hj.Result, &res) == nil {
			r := res.CampaignResult
			if res.Result != nil {
				r = *res.Result
			}
			c.Done, c.Failed = len(r.Upgraded)+len(r.Skipped), len(r.Failed)
			c.Total = c.Done + c.Failed + r.Remaining
			if r.Halted {
				c.State = web.CampaignCancelled
			}
		}
	}
	return c
}

// groupSize counts a group's meters (every meter for AllMeters).
func (j jobs) groupSize(ctx context.Context, group string) int {
	if group == hes.AllMeters {
		group = ""
	}
	ms, _ := j.meta.Meters(ctx, meta.MeterFilter{Group: group})
	return len(ms)
}
