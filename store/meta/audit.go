package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry records who did what to what. The log is append-only.
type AuditEntry struct {
	ID     int64
	At     time.Time // Config.Now if zero
	Actor  string    // user name, "system", a job
	Action string    // "meter.disconnect", "key.set", "token.issue", …
	Target string    // what it was done to: a meter serial, a key set
	Detail json.RawMessage
}

// execer is what *sql.DB and *sql.Tx share.
type execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func insertAudit(ctx context.Context, db execer, e AuditEntry) error {
	_, err := auditRow(ctx, db, e)
	return err
}

func auditRow(ctx context.Context, db execer, e AuditEntry) (int64, error) {
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("{}")
	}
	var id int64
	err := db.QueryRowContext(ctx, `INSERT INTO audit (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		e.At.UnixMilli(), e.Actor, e.Action, e.Target, string(e.Detail)).Scan(&id)
	return id, err
}

// Audit appends e to the log and returns its id.
func (d *DB) Audit(ctx context.Context, e AuditEntry) (int64, error) {
	if e.Actor == "" || e.Action == "" {
		return 0, fmt.Errorf("audit: empty actor or action: %w", ErrInvalid)
	}
	if len(e.Detail) > 0 && !json.Valid(e.Detail) {
		return 0, fmt.Errorf("audit %s: detail is not JSON: %w", e.Action, ErrInvalid)
	}
	if e.At.IsZero() {
		e.At = d.now()
	}
	id, err := auditRow(ctx, d.db, e)
	return id, d.classify(err, "audit "+e.Action)
}

// AuditFilter selects log entries; zero fields select everything.
type AuditFilter struct {
	Since, Until time.Time // [Since, Until)
	Actor        string
	AfterID      int64 // page on: entries with larger ids
	Limit        int   // 0: no limit
}

// AuditLog returns the entries f selects, oldest first.
func (d *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	until := int64(1<<63 - 1)
	if !f.Until.IsZero() {
		until = f.Until.UnixMilli()
	}
	q := `SELECT id, at, actor, action, target, detail FROM audit
		WHERE id > $1 AND at >= $2 AND at < $3 AND ($4 = '' OR actor = $4) ORDER BY id`
	args := []any{f.AfterID, timeMs(f.Since), until, f.Actor}
	if f.Limit > 0 {
		q += ` LIMIT $5`
		args = append(args, f.Limit)
	}
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, d.classify(err, "audit log")
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var detail string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &detail); err != nil {
			return nil, err
		}
		e.At, e.Detail = time.UnixMilli(at).UTC(), json.RawMessage(detail)
		out = append(out, e)
	}
	return out, d.classify(rows.Err(), "audit log")
}
