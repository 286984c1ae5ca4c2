package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// migration is one numbered step of the schema. Its SQL is a template for
// the dialect (see dialect.ddl); statements end with ";" at a line end.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations, in order; append, never edit a released one.
var migrations = []migration{
	{1, "meters, keys, tariffs, bills, alarms, jobs, users, tokens, audit", schemaV1},
	{2, "job progress", schemaV2},
}

// SchemaVersion is the schema version this code writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

func (d *DB) migrate(ctx context.Context) (err error) {
	if d.d.lockMigrations != nil {
		unlock, lerr := d.d.lockMigrations(ctx, d.db)
		if lerr != nil {
			return fmt.Errorf("migrate: %w", lerr)
		}
		defer func() { err = errors.Join(err, unlock()) }()
	}
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var have sql.NullInt64
	if err := d.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if int(have.Int64) > SchemaVersion() {
		return fmt.Errorf("migrate: database schema version %d is newer than this program's %d: %w", have.Int64, SchemaVersion(), ErrInvalid)
	}
	for _, m := range migrations {
		if m.version <= int(have.Int64) {
			continue
		}
		err := d.tx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range statements(d.d.ddl.Replace(m.sql)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, d.nowMs())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
		}
		d.log.Info("meta schema migrated", "version", m.version, "name", m.name)
	}
	return nil
}

// statements splits a script at lines ending in ";".
func statements(script string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, strings.TrimSuffix(s, ";"))
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
