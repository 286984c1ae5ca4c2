// Package meta keeps amigo's metadata: meters (serial, address, key set,
// group, tariff, firmware, accuracy class, install date), key material,
// tariffs, bills, alarms, jobs, users and their API tokens, and the audit
// log. The readings themselves live in a store.Store; a meter's id here is
// its store.MeterID.
//
// DB runs on database/sql. Open takes a URL: sqlite:PATH opens the
// embedded default (OpenSQLite: modernc.org/sqlite, no cgo, WAL mode);
// postgres://… opens the scale-out alternative (OpenPostgres: PostgreSQL
// through pgx). Both are the same code with another dialect: queries use
// $1-style placeholders, which both engines accept, BIGINT Unix
// milliseconds for instants and int64 millionths of the currency unit for
// money, and the few differences (the identity column, the bytes type,
// byte-order collation of the names lists sort by, row locking when
// claiming a job, how a constraint violation is reported, a lock around
// migrations) live in a dialect value. Every test of the package runs on
// both (PostgreSQL under the postgres build tag, .ci/suites/postgres).
// One difference remains visible: a PostgreSQL sequence moves on a failed
// insert, so ids there are unique and increasing but may skip values,
// where SQLite's follow each other.
//
// Migrations are numbered schema templates applied in order, each in its
// own transaction, and recorded in schema_migrations; a database newer
// than the code is refused. On PostgreSQL an advisory lock makes processes
// that open one database together migrate it one at a time.
//
// Key material is a Secret: it prints, logs and marshals as "[secret]",
// compares in constant time and leaves the package only through
// Secret.Bytes. Changing a key set writes an audit entry naming the set and
// the kind, never the material.
//
// A DB is safe for concurrent use. Times come from Config.Now.
package meta
