package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Errors callers branch on, for errors.Is.
var (
	ErrNotFound = errors.New("meta: not found")
	ErrExists   = errors.New("meta: already exists")
	ErrInvalid  = errors.New("meta: invalid")
	// ErrUnauthenticated: a token is unknown, expired or revoked, or its
	// user is disabled.
	ErrUnauthenticated = errors.New("meta: unauthenticated")
)

// Config configures a DB. The zero value is valid.
type Config struct {
	Logger *slog.Logger       // nil discards
	Now    func() time.Time   // time.Now if nil
	Rand   func([]byte) error // crypto/rand.Read if nil; fills token bytes
}

// DB is the metadata store.
type DB struct {
	db   *sql.DB
	d    dialect
	log  *slog.Logger
	now  func() time.Time
	rand func([]byte) error
}

// Open opens the database a URL names and migrates it:
//
//	sqlite:PATH                          the SQLite file PATH (OpenSQLite)
//	postgres://USER[:PASSWORD]@HOST:PORT/DATABASE[?PARAMS]
//	postgresql://…                       a PostgreSQL database (OpenPostgres)
//
// Errors name the URL without its password.
func Open(ctx context.Context, rawURL string, cfg Config) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return OpenSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"), cfg)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return OpenPostgres(ctx, rawURL, cfg)
	}
	scheme, _, _ := strings.Cut(rawURL, ":")
	return nil, fmt.Errorf("meta URL scheme %q: want sqlite:PATH or postgres://…: %w", scheme, ErrInvalid)
}

// OpenPostgres connects to the PostgreSQL database url names (a pgx
// connection string: postgres://… or key=value pairs) and migrates it to
// the current schema. Concurrent openers of one database migrate one at a
// time.
func OpenPostgres(ctx context.Context, url string, cfg Config) (*DB, error) {
	return open(ctx, "pgx", url, redactedURL(url), postgresDialect, cfg)
}

// redactedURL hides the password of a URL for messages.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "postgres database"
	}
	return u.Redacted()
}

// OpenSQLite opens (creating if needed) the SQLite database at path in WAL
// mode with foreign keys on, and migrates it to the current schema.
func OpenSQLite(ctx context.Context, path string, cfg Config) (*DB, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate") // writers queue on BEGIN instead of failing at COMMIT
	return open(ctx, "sqlite", "file:"+path+"?"+q.Encode(), path, sqliteDialect, cfg)
}

// open opens a database/sql driver's database and migrates it; errors
// name the database as name.
func open(ctx context.Context, driver, dsn, name string, dl dialect, cfg Config) (*DB, error) {
	sdb, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("meta %s: %w", name, err)
	}
	d, err := newDB(ctx, sdb, dl, cfg)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("meta %s: %w", name, err), sdb.Close())
	}
	return d, nil
}

func newDB(ctx context.Context, sdb *sql.DB, dl dialect, cfg Config) (*DB, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = cryptoRand
	}
	d := &DB{db: sdb, d: dl, log: cfg.Logger, now: cfg.Now, rand: cfg.Rand}
	if err := d.migrate(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

func (d *DB) nowMs() int64 { return d.now().UnixMilli() }

// tx runs fn in a transaction, committing if it returns nil.
func (d *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// classify maps engine errors to the package's sentinels, naming what.
func (d *DB) classify(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case d.d.isUnique(err):
		return fmt.Errorf("%s: %w", what, ErrExists)
	case d.d.isForeignKey(err):
		return fmt.Errorf("%s: refers to a missing row: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// msTime converts a stored instant; 0 is the zero time.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// timeMs converts an instant to store; the zero time is 0.
func timeMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// nullMs converts a nullable stored instant.
func nullMs(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return msTime(v.Int64)
}

// msNull converts an instant to a nullable column; the zero time is NULL.
func msNull(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}
