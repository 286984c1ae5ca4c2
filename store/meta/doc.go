// Package meta keeps amigo's metadata: meters (serial, address, key set,
// group, tariff, firmware, accuracy class, install date), key material,
// tariffs, bills, alarms, jobs, users and their API tokens, and the audit
// log. The readings themselves live in a store.Store; a meter's id here is
// its store.MeterID.
//
// DB runs on database/sql. OpenSQLite opens the embedded default
// (modernc.org/sqlite, no cgo) in WAL mode; a PostgreSQL DB (pgx) is the
// same code with another dialect: queries use $1-style placeholders, which
// both engines accept, BIGINT Unix milliseconds for instants and int64
// millionths of the currency unit for money, and the few differences (the
// identity column, the bytes type, row locking when claiming a job, how a
// unique violation is reported) live in a dialect value. Migrations are
// numbered schema templates applied in order, each in its own transaction,
// and recorded in schema_migrations; a database newer than the code is
// refused.
//
// Key material is a Secret: it prints, logs and marshals as "[secret]",
// compares in constant time and leaves the package only through
// Secret.Bytes. Changing a key set writes an audit entry naming the set and
// the kind, never the material.
//
// A DB is safe for concurrent use. Times come from Config.Now.
package meta
