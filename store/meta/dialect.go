package meta

import (
	"errors"
	"strings"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is what differs between the SQL engines meta runs on.
type dialect struct {
	name string
	// ddl replaces the placeholders of the schema templates: {{ID}} an
	// auto-incrementing primary key that never reuses a value, {{BYTES}}
	// a binary column.
	ddl *strings.Replacer
	// skipLocked ends the subquery that picks a job to claim, so that
	// concurrent claimers take different jobs.
	skipLocked string
	// isUnique reports a unique or primary key violation.
	isUnique func(error) bool
	// isForeignKey reports a foreign key violation.
	isForeignKey func(error) bool
}

var sqliteDialect = dialect{
	name: "sqlite",
	ddl:  strings.NewReplacer("{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{BYTES}}", "BLOB"),
	isUnique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isForeignKey: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	},
}
