package testenv

import (
	"fmt"
	"os"
	"testing"
)

// CI reports whether the tests run under CI (CI=true), where every server
// and tool a test needs is provided.
func CI() bool { return os.Getenv("CI") == "true" }

// Unavailable ends t for want of a server or tool from outside the
// repository: it skips t, or fails it under CI=true, with the same
// message either way.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		t.Fatal(msg + " (required under CI=true)")
	}
	t.Skip(msg)
}

// NeedServer returns the value of envVar, the address of what (e.g. "a
// PostgreSQL server") that the script .ci/suites/suite provides; when it
// is unset, t is Unavailable.
func NeedServer(t testing.TB, what, envVar, suite string) string {
	t.Helper()
	v := os.Getenv(envVar)
	if v == "" {
		Unavailable(t, "needs %s: %s is not set (.ci/suites/%s sets it)", what, envVar, suite)
	}
	return v
}
