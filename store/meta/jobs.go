package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// JobState is where a job is in its life.
type JobState string

// Job states: queued → running → done or failed; a running job whose lease
// ran out is claimed again.
const (
	JobQueued  JobState = "queued"
	JobRunning JobState = "running"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// Job is a unit of work for the head-end or the MDM (a read, a firmware
// update, a billing run) with its record.
type Job struct {
	ID         int64
	Kind       string
	Meter      store.MeterID // 0 if the job is not about one meter
	Params     json.RawMessage
	State      JobState
	Attempts   int
	DueAt      time.Time // Config.Now if zero
	LeaseUntil time.Time
	Result     string
	// Progress is what a running job last reported ("blocks 120/500").
	Progress  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateJob queues j and returns its id.
func (d *DB) CreateJob(ctx context.Context, j Job) (int64, error) {
	if j.Kind == "" {
		return 0, fmt.Errorf("job: empty kind: %w", ErrInvalid)
	}
	if len(j.Params) == 0 {
		j.Params = json.RawMessage("{}")
	}
	if !json.Valid(j.Params) {
		return 0, fmt.Errorf("job %s: params are not JSON: %w", j.Kind, ErrInvalid)
	}
	now := d.nowMs()
	due := timeMs(j.DueAt)
	if due == 0 {
		due = now
	}
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO jobs (kind, meter_id, params, state, attempts, due_at, result, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 0, $5, '', $6, $6) RETURNING id`,
		j.Kind, nullID(int64(j.Meter)), string(j.Params), string(JobQueued), due, now).Scan(&id)
	return id, d.classify(err, "job "+j.Kind)
}

const jobColumns = `id, kind, meter_id, params, state, attempts, due_at, lease_until, result, progress, created_at, updated_at`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var meter, lease sql.NullInt64
	var params, state string
	var due, created, updated int64
	err := row.Scan(&j.ID, &j.Kind, &meter, &params, &state, &j.Attempts, &due, &lease, &j.Result, &j.Progress, &created, &updated)
	j.Meter, j.Params, j.State = store.MeterID(meter.Int64), json.RawMessage(params), JobState(state)
	j.DueAt, j.LeaseUntil, j.CreatedAt, j.UpdatedAt = msTime(due), nullMs(lease), msTime(created), msTime(updated)
	return j, err
}

// ClaimJob takes the job due first (queued and due, or running with an
// expired lease), marks it running until now+lease and returns it;
// ErrNotFound if none is due. Concurrent claimers get different jobs.
func (d *DB) ClaimJob(ctx context.Context, lease time.Duration) (Job, error) {
	now := d.now()
	j, err := scanJob(d.db.QueryRowContext(ctx, `UPDATE jobs SET state = $1, attempts = attempts + 1, lease_until = $2, updated_at = $3
		WHERE id = (SELECT id FROM jobs WHERE (state = $4 AND due_at <= $3) OR (state = $1 AND lease_until < $3)
			ORDER BY due_at, id LIMIT 1`+d.d.skipLocked+`)
		RETURNING `+jobColumns,
		string(JobRunning), now.Add(lease).UnixMilli(), now.UnixMilli(), string(JobQueued)))
	return j, d.classify(err, "claim job")
}

// StartJob marks job id running until now+lease: a worker that got the job
// from elsewhere than ClaimJob (the bus work queue) takes it this way. A
// queued job starts; a running one whose lease ran out is taken over; a
// job running under a live lease, done or failed is not started
// (ErrNotFound), so a job delivered twice runs once.
func (d *DB) StartJob(ctx context.Context, id int64, lease time.Duration) (Job, error) {
	now := d.now()
	j, err := scanJob(d.db.QueryRowContext(ctx, `UPDATE jobs SET state = $1, attempts = attempts + 1, lease_until = $2, updated_at = $3
		WHERE id = $4 AND (state = $5 OR (state = $1 AND lease_until < $3)) RETURNING `+jobColumns,
		string(JobRunning), now.Add(lease).UnixMilli(), now.UnixMilli(), id, string(JobQueued)))
	return j, d.classify(err, fmt.Sprintf("start job %d", id))
}

// JobProgress records the progress of running job id and extends its lease
// to now+lease (0 keeps the lease).
func (d *DB) JobProgress(ctx context.Context, id int64, progress string, lease time.Duration) error {
	now := d.now()
	var until int64
	if lease > 0 {
		until = now.Add(lease).UnixMilli()
	}
	// The CAST types $3 for PostgreSQL, which types a parameter by its
	// first use and would make it a 32-bit integer from $3 > 0.
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET progress = $1, updated_at = $2,
		lease_until = CASE WHEN CAST($3 AS BIGINT) > 0 THEN $3 ELSE lease_until END WHERE id = $4 AND state = $5`,
		progress, now.UnixMilli(), until, id, string(JobRunning))
	return d.affected(res, err, fmt.Sprintf("running job %d", id))
}

// FinishJob records the outcome of running job id: done or failed.
func (d *DB) FinishJob(ctx context.Context, id int64, state JobState, result string) error {
	if state != JobDone && state != JobFailed {
		return fmt.Errorf("job %d: finish as %q: %w", id, state, ErrInvalid)
	}
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET state = $1, result = $2, lease_until = NULL, updated_at = $3 WHERE id = $4 AND state = $5`,
		string(state), result, d.nowMs(), id, string(JobRunning))
	return d.affected(res, err, fmt.Sprintf("running job %d", id))
}

// Job returns job id.
func (d *DB) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(d.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	return j, d.classify(err, fmt.Sprintf("job %d", id))
}

// JobFilter selects jobs; zero fields select everything.
type JobFilter struct {
	Kind  string
	State JobState
	Meter store.MeterID
	Limit int // 0: no limit
}

// Jobs returns the jobs f selects, newest first.
func (d *DB) Jobs(ctx context.Context, f JobFilter) ([]Job, error) {
	// meter_id = $2 comes first: PostgreSQL types a parameter by its
	// first use, and $2 = 0 alone would make it a 32-bit integer.
	q := `SELECT ` + jobColumns + ` FROM jobs WHERE ($1 = '' OR state = $1) AND (meter_id = $2 OR $2 = 0) AND ($3 = '' OR kind = $3) ORDER BY id DESC`
	args := []any{string(f.State), int64(f.Meter), f.Kind}
	if f.Limit > 0 {
		q += ` LIMIT $4`
		args = append(args, f.Limit)
	}
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, d.classify(err, "jobs")
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, d.classify(rows.Err(), "jobs")
}
