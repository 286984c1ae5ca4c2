package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a helper ended the test
// instead of ending it: only the first end counts, as Skip and Fatal
// never return on a real one.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) end(skip bool, args ...any) {
	if r.skipped || r.failed {
		return
	}
	r.skipped, r.failed = skip, !skip
	for _, a := range args {
		r.msg += a.(string)
	}
}

func (r *recorder) Skip(args ...any)                  { r.end(true, args...) }
func (r *recorder) Fatal(args ...any)                 { r.end(false, args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.end(true, fmt.Sprintf(format, args...)) }
func (r *recorder) Fatalf(format string, args ...any) { r.end(false, fmt.Sprintf(format, args...)) }

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSharedDataEnv(t *testing.T) {
	t.Setenv(SharedDataEnv, "/somewhere/data")
	if got := SharedData(); got != "/somewhere/data" {
		t.Errorf("SharedData() = %q, want $%s", got, SharedDataEnv)
	}
}

// TestSharedDataThisRepository: from this package's directory the root is
// two levels up.
func TestSharedDataThisRepository(t *testing.T) {
	t.Setenv(SharedDataEnv, "")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(wd, "..", "..", "..", "shared", "data")
	if got := SharedData(); got != want {
		t.Errorf("SharedData() = %q, want %q", got, want)
	}
}

// TestSharedDataFrom walks past a nested module (as interop/ is) to
// amigo's go.mod, and falls back to the start directory without one.
func TestSharedDataFrom(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "repo", "go.mod"), "// amigo\nmodule github.com/amigo-ami/amigo\n\ngo 1.26.0\n")
	writeFile(t, filepath.Join(root, "repo", "interop", "go.mod"), "module github.com/amigo-ami/amigo/interop\n")
	writeFile(t, filepath.Join(root, "other", "go.mod"), "module example.com/other\n")
	deep := filepath.Join(root, "repo", "interop", "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, want string }{
		{filepath.Join(root, "repo"), filepath.Join(root, "repo", "..", "shared", "data")},
		{deep, filepath.Join(root, "repo", "..", "shared", "data")},
		{filepath.Join(root, "other"), filepath.Join(root, "other", "..", "shared", "data")},
		{root, filepath.Join(root, "..", "shared", "data")},
	} {
		if got := sharedDataFrom(c.from); got != c.want {
			t.Errorf("sharedDataFrom(%s) = %s, want %s", c.from, got, c.want)
		}
	}
}

func TestSharedFileAndDir(t *testing.T) {
	data := t.TempDir()
	t.Setenv(SharedDataEnv, data)
	writeFile(t, filepath.Join(data, "set", "a.csv"), "x")
	for _, c := range []struct {
		name    string
		run     func(testing.TB) string
		want    string
		missing string // the path the skip names; "" for no skip
	}{
		{"file", func(t testing.TB) string { return SharedFile(t, "set/a.csv") }, filepath.Join(data, "set", "a.csv"), ""},
		{"file absent", func(t testing.TB) string { return SharedFile(t, "set/b.csv") }, "", filepath.Join(data, "set", "b.csv")},
		{"dir", func(t testing.TB) string { return SharedDir(t, "set", "a.csv") }, filepath.Join(data, "set"), ""},
		{"dir absent", func(t testing.TB) string { return SharedDir(t, "nope", "a.csv") }, "", filepath.Join(data, "nope")},
		{"dir file absent", func(t testing.TB) string { return SharedDir(t, "set", "a.csv", "b.csv") }, "", filepath.Join(data, "set", "b.csv")},
	} {
		r := &recorder{}
		got := c.run(r)
		if r.failed {
			t.Errorf("%s: failed: %s", c.name, r.msg)
		}
		if c.missing == "" {
			if r.skipped || got != c.want {
				t.Errorf("%s: %q (skipped %v %q), want %q", c.name, got, r.skipped, r.msg, c.want)
			}
			continue
		}
		if !r.skipped || !strings.Contains(r.msg, c.missing+" ") || !strings.Contains(r.msg, SharedDataEnv) {
			t.Errorf("%s: skipped %v with %q, want a skip naming %s and %s", c.name, r.skipped, r.msg, c.missing, SharedDataEnv)
		}
	}
}

func TestNeedServer(t *testing.T) {
	const env = "AMIGO_TESTENV_URL"
	for _, c := range []struct {
		ci, url         string
		skipped, failed bool
	}{
		{"", "", true, false},
		{"false", "", true, false},
		{"true", "", false, true},
		{"", "db://x", false, false},
		{"true", "db://x", false, false},
	} {
		t.Setenv("CI", c.ci)
		t.Setenv(env, c.url)
		r := &recorder{}
		got := NeedServer(r, "a test server", env, "suite")
		if r.skipped != c.skipped || r.failed != c.failed {
			t.Errorf("CI=%q %s=%q: skipped %v failed %v, want %v %v", c.ci, env, c.url, r.skipped, r.failed, c.skipped, c.failed)
		}
		if c.url != "" && got != c.url {
			t.Errorf("CI=%q: NeedServer = %q, want %q", c.ci, got, c.url)
		}
		if c.url == "" {
			for _, want := range []string{"a test server", env, ".ci/suites/suite"} {
				if !strings.Contains(r.msg, want) {
					t.Errorf("CI=%q: message %q does not name %q", c.ci, r.msg, want)
				}
			}
		}
	}
}
