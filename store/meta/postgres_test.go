//go:build postgres

package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
)

// These tests need a PostgreSQL server: .ci/suites/postgres starts one
// and sets AMIGO_POSTGRES_URL. Every test of the package then runs on
// SQLite and on PostgreSQL, each PostgreSQL database a schema of its own
// (search_path), dropped at the end of its test.

const postgresEnv = "AMIGO_POSTGRES_URL"

func engines(t *testing.T) []engine {
	return []engine{sqliteEngine, {"postgres", postgresSchema}}
}

var schemas atomic.Int64

// postgresSchema creates an empty schema and returns the server's URL with
// it as the search path.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := testenv.NeedServer(t, "a PostgreSQL server", postgresEnv, "postgres")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("amigo_test_%d_%d", os.Getpid(), schemas.Add(1))
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestPostgresMigrateConcurrently opens one new database from several
// processes' worth of connections at once: the advisory lock lets one
// migrate and the others find it done.
func TestPostgresMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	u := postgresSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	dbs := make([]*DB, len(errs))
	for i := range errs {
		wg.Go(func() { dbs[i], errs[i] = Open(ctx, u, Config{}) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbs[0].db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations) {
		t.Errorf("%d migrations recorded (%v), want %d", n, err, len(migrations))
	}
	for _, d := range dbs {
		d.Close()
	}
}
