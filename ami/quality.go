package ami

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// powerQuality is web.PowerQuality: a meter's latest power-quality
// capture (a read-power-quality job's result), read afresh when the
// latest is older than pqFresh on the system's clock or lacks harmonics.
type powerQuality struct {
	head *hes.HeadEnd
	meta *meta.DB
	now  func() time.Time
}

// pqFresh is how old a capture may be and still be shown.
const pqFresh = 15 * time.Minute

// pqWait bounds how long a request waits for a fresh capture (wall time).
const pqWait = 10 * time.Second

// Snapshot implements web.PowerQuality.
func (q powerQuality) Snapshot(ctx context.Context, id store.MeterID) (web.PQSnapshot, error) {
	m, err := q.meta.Meter(ctx, id)
	if err != nil {
		return web.PQSnapshot{}, err
	}
	latest, ok, err := q.latest(ctx, m.Serial)
	if err != nil {
		return web.PQSnapshot{}, err
	}
	if !ok || q.now().Sub(latest.UpdatedAt) > pqFresh {
		fresh, err := q.read(ctx, m.Serial)
		switch {
		case err == nil:
			latest, ok = fresh, true
		case !ok:
			return web.PQSnapshot{}, fmt.Errorf("meter %s has no power-quality capture: %v: %w", m.Serial, err, web.ErrNotFound)
		}
	}
	var res hes.PowerQualityResult
	if err := json.Unmarshal(latest.Result, &res); err != nil {
		return web.PQSnapshot{}, err
	}
	return snapshotOf(res), nil
}

// latest finds the meter's newest full capture (not a schedule's basic
// one).
func (q powerQuality) latest(ctx context.Context, serial string) (hes.Job, bool, error) {
	js, err := q.head.Jobs(ctx, hes.JobFilter{Kind: hes.ReadPowerQuality, Meter: serial, State: meta.JobDone, Limit: 20})
	if err != nil {
		return hes.Job{}, false, err
	}
	for _, j := range js {
		var p hes.PowerQualityParams
		if json.Unmarshal(j.Params, &p) == nil && !p.Basic {
			return j, true, nil
		}
	}
	return hes.Job{}, false, nil
}

// read runs a capture and waits for it.
func (q powerQuality) read(ctx context.Context, serial string) (hes.Job, error) {
	id, err := q.head.Submit(ctx, hes.Request{Kind: hes.ReadPowerQuality, Meter: serial, Actor: "web"})
	if err != nil {
		return hes.Job{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, pqWait)
	defer cancel()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		j, err := q.head.Job(ctx, id)
		switch {
		case err != nil:
			return hes.Job{}, err
		case j.State == meta.JobDone:
			return j, nil
		case j.State == meta.JobFailed:
			return hes.Job{}, fmt.Errorf("job %d failed: %s", id, j.Result)
		}
		select {
		case <-ctx.Done():
			return hes.Job{}, fmt.Errorf("job %d: %w", id, ctx.Err())
		case <-t.C:
		}
	}
}

func snapshotOf(r hes.PowerQualityResult) web.PQSnapshot {
	s := web.PQSnapshot{Time: r.Time, FrequencyHz: r.FrequencyHz}
	for _, p := range r.Phases {
		ph := web.PQPhase{Phase: p.Phase, URMS: p.U, IRMS: p.I, PW: p.P, PF: p.PF, THDU: p.THDU, THDI: p.THDI}
		for _, h := range p.Harmonics {
			ph.Harmonics = append(ph.Harmonics, web.Harmonic{H: h.H, URMS: h.U, IRMS: h.I})
		}
		s.Phases = append(s.Phases, ph)
	}
	if w := r.Waveform; w != nil {
		s.Waveform = &web.Waveform{RateHz: w.RateHz, U: w.U, I: w.I}
	}
	return s
}
