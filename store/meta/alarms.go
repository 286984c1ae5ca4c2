package meta

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Alarm is a condition raised about a meter (or the system, Meter 0) that
// an operator acknowledges and that clears when it no longer holds.
type Alarm struct {
	ID             int64
	Meter          store.MeterID
	Kind           string // "load-deviation", "tamper", "last-gasp", …
	Severity       string // "info", "warning", "critical"
	Message        string
	RaisedAt       time.Time // Config.Now if zero
	AcknowledgedAt time.Time
	AcknowledgedBy string
	ClearedAt      time.Time
}

var severities = []string{"info", "warning", "critical"}

// RaiseAlarm stores a and returns its id.
func (d *DB) RaiseAlarm(ctx context.Context, a Alarm) (int64, error) {
	if a.Kind == "" || !slices.Contains(severities, a.Severity) {
		return 0, fmt.Errorf("alarm %q: empty kind or severity %q not one of %q: %w", a.Kind, a.Severity, severities, ErrInvalid)
	}
	if a.RaisedAt.IsZero() {
		a.RaisedAt = d.now()
	}
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO alarms (meter_id, kind, severity, message, raised_at, acknowledged_by)
		VALUES ($1, $2, $3, $4, $5, '') RETURNING id`, nullID(int64(a.Meter)), a.Kind, a.Severity, a.Message, a.RaisedAt.UnixMilli()).Scan(&id)
	return id, d.classify(err, "alarm "+a.Kind)
}

// AcknowledgeAlarm records that user saw alarm id. Acknowledging twice
// keeps the first.
func (d *DB) AcknowledgeAlarm(ctx context.Context, id int64, user string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE alarms SET acknowledged_at = COALESCE(acknowledged_at, $1),
		acknowledged_by = CASE WHEN acknowledged_at IS NULL THEN $2 ELSE acknowledged_by END WHERE id = $3`, d.nowMs(), user, id)
	return d.affected(res, err, fmt.Sprintf("alarm %d", id))
}

// ClearAlarm records that alarm id no longer holds.
func (d *DB) ClearAlarm(ctx context.Context, id int64) error {
	res, err := d.db.ExecContext(ctx, `UPDATE alarms SET cleared_at = COALESCE(cleared_at, $1) WHERE id = $2`, d.nowMs(), id)
	return d.affected(res, err, fmt.Sprintf("alarm %d", id))
}

// AlarmFilter selects alarms; zero fields select everything.
type AlarmFilter struct {
	Meter store.MeterID
	Open  bool // only alarms not cleared
	Limit int  // 0: no limit
}

// Alarms returns the alarms f selects, newest first.
func (d *DB) Alarms(ctx context.Context, f AlarmFilter) ([]Alarm, error) {
	open := 0
	if f.Open {
		open = 1
	}
	// meter_id = $1 comes first: PostgreSQL types a parameter by its
	// first use, and $1 = 0 alone would make it a 32-bit integer.
	q := `SELECT id, meter_id, kind, severity, message, raised_at, acknowledged_at, acknowledged_by, cleared_at FROM alarms
		WHERE (meter_id = $1 OR $1 = 0) AND ($2 = 0 OR cleared_at IS NULL) ORDER BY raised_at DESC, id DESC`
	args := []any{int64(f.Meter), open}
	if f.Limit > 0 {
		q += ` LIMIT $3`
		args = append(args, f.Limit)
	}
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, d.classify(err, "alarms")
	}
	defer rows.Close()
	var out []Alarm
	for rows.Next() {
		var a Alarm
		var meter, acked, cleared sql.NullInt64
		var raised int64
		if err := rows.Scan(&a.ID, &meter, &a.Kind, &a.Severity, &a.Message, &raised, &acked, &a.AcknowledgedBy, &cleared); err != nil {
			return nil, err
		}
		a.Meter, a.RaisedAt, a.AcknowledgedAt, a.ClearedAt = store.MeterID(meter.Int64), msTime(raised), nullMs(acked), nullMs(cleared)
		out = append(out, a)
	}
	return out, d.classify(rows.Err(), "alarms")
}
