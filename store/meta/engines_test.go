//go:build !postgres

package meta

import "testing"

// engines lists the engines the tests run on: SQLite; with the postgres
// build tag, PostgreSQL too (postgres_test.go).
func engines(*testing.T) []engine { return []engine{sqliteEngine} }
