package ami

import (
	"context"
	"log/slog"
	"time"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// tappedStore is the readings store as the MDM's ingest writes it: once
// a batch is durable, each meter in it counts as seen and the console
// hears which of its readings arrived.
type tappedStore struct {
	store.Store
	status *statusBook
	hub    *web.Hub
	now    func() time.Time
}

// Append implements store.Store, then tells.
func (t tappedStore) Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error) {
	res, err := t.Store.Append(ctx, batch)
	if err != nil || len(batch) == 0 {
		return res, err
	}
	now := t.now()
	// Ingest batches hold the messages of one meter after another: split
	// on meter changes rather than sort.
	start := 0
	for i := 1; i <= len(batch); i++ {
		if i < len(batch) && batch[i].Meter == batch[start].Meter {
			continue
		}
		id := batch[start].Meter
		if t.status != nil {
			t.status.Seen(ctx, id, now)
		}
		if t.hub != nil {
			t.hub.PublishReadings(id, batch[start:i])
		}
		start = i
	}
	return res, nil
}

// announcer publishes what changes in store/meta — jobs and alarms — to
// the hub, whichever process changed it: head-end nodes record job
// progress and the MDM and head-end raise alarms in the shared metadata
// store, and a web node polls it.
type announcer struct {
	meta   *meta.DB
	head   *hes.HeadEnd
	jobs   jobs
	status *statusBook
	hub    *web.Hub
	every  time.Duration
	log    *slog.Logger

	seenJobs   map[int64]jobMark
	seenAlarms map[int64]alarmMark
}

type jobMark struct {
	state    meta.JobState
	updated  time.Time
	progress float64
}

type alarmMark struct{ acked, cleared bool }

// watched is how many of the newest jobs and alarms each poll compares;
// running jobs are compared besides, however old.
const watched = 200

// run polls until ctx ends.
func (a *announcer) run(ctx context.Context) error {
	a.seenJobs, a.seenAlarms = map[int64]jobMark{}, map[int64]alarmMark{}
	a.poll(ctx, false) // what exists already is not news
	t := time.NewTicker(a.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			a.poll(ctx, true)
		}
	}
}

func (a *announcer) poll(ctx context.Context, announce bool) {
	newest, err := a.head.Jobs(ctx, hes.JobFilter{Limit: watched})
	if err == nil {
		var running []hes.Job
		running, err = a.head.Jobs(ctx, hes.JobFilter{State: meta.JobRunning})
		newest = append(newest, running...)
	}
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("ami: polling jobs", "err", err)
		}
		return
	}
	for _, hj := range newest {
		mark := jobMark{hj.State, hj.UpdatedAt, hj.Progress.Fraction()}
		if old, ok := a.seenJobs[hj.ID]; ok && old == mark {
			continue
		}
		a.seenJobs[hj.ID] = mark
		if !announce {
			continue
		}
		j := a.jobs.view(ctx, hj)
		a.hub.PublishJob(j)
		if j.Meter != 0 && (hj.State == meta.JobDone || hj.State == meta.JobFailed) {
			// The head-end that ran it updated the meter's status,
			// perhaps in another process.
			a.status.forget(j.Meter)
			if st, err := a.status.Status(ctx, j.Meter); err == nil {
				a.hub.PublishMeterStatus(j.Meter, st)
			}
		}
	}
	a.trimJobs()
	alarms, err := a.meta.Alarms(ctx, meta.AlarmFilter{Limit: watched})
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("ami: polling alarms", "err", err)
		}
		return
	}
	for _, al := range alarms {
		mark := alarmMark{!al.AcknowledgedAt.IsZero(), !al.ClearedAt.IsZero()}
		if old, ok := a.seenAlarms[al.ID]; ok && old == mark {
			continue
		}
		a.seenAlarms[al.ID] = mark
		if announce {
			a.hub.PublishAlarm(al)
		}
	}
}

// trimJobs forgets finished jobs far behind the newest, which no poll
// lists again.
func (a *announcer) trimJobs() {
	if len(a.seenJobs) <= 4*watched {
		return
	}
	var newest int64
	for id := range a.seenJobs {
		newest = max(newest, id)
	}
	for id, m := range a.seenJobs {
		if id < newest-2*watched && m.state != meta.JobRunning && m.state != meta.JobQueued {
			delete(a.seenJobs, id)
		}
	}
}
