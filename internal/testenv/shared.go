package testenv

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SharedDataEnv names the environment variable that overrides where the
// shared test data lives.
const SharedDataEnv = "AMIGO_SHARED_DATA"

// modulePath is the module whose go.mod marks the repository root.
const modulePath = "github.com/amigo-ami/amigo"

// SharedData returns the shared test data directory: $AMIGO_SHARED_DATA,
// else ../shared/data beside the repository root found from the working
// directory.
func SharedData() string {
	if d := os.Getenv(SharedDataEnv); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "data")
	}
	return sharedDataFrom(wd)
}

// sharedDataFrom is ../shared/data beside the first directory from dir
// upwards that holds amigo's go.mod, or beside dir when none does.
func sharedDataFrom(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if isRepoRoot(d) {
			return filepath.Join(d, "..", "shared", "data")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "..", "shared", "data")
		}
	}
}

// isRepoRoot reports whether dir/go.mod declares modulePath.
func isRepoRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == modulePath
		}
	}
	return false
}

// SharedFile returns the path of rel (slash-separated) under SharedData,
// skipping t when it does not exist.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(SharedData(), filepath.FromSlash(rel))
	needFile(t, path)
	return path
}

// SharedDir returns the path of the directory rel under SharedData,
// skipping t when it or any of files in it does not exist.
func SharedDir(t testing.TB, rel string, files ...string) string {
	t.Helper()
	dir := filepath.Join(SharedData(), filepath.FromSlash(rel))
	needFile(t, dir)
	for _, f := range files {
		needFile(t, filepath.Join(dir, filepath.FromSlash(f)))
	}
	return dir
}

// needFile skips t when path does not exist. Any other failure to stat
// it is left to the test's own reading, which reports it.
func needFile(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("shared test data absent: %s (set %s to the shared data directory; see its README.md)", path, SharedDataEnv)
	}
}
