package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestVendoredFiles checks every vendored file against the sha256 that
// console/vendor/README.md records, and that nothing unrecorded is there.
func TestVendoredFiles(t *testing.T) {
	readme, err := consoleFiles.ReadFile("console/vendor/README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`^\| (\S+) \|.*\| ([0-9a-f]{64}) \|$`)
	want := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(readme)))
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			want[m[1]] = m[2]
		}
	}
	if len(want) == 0 {
		t.Fatal("console/vendor/README.md records no file")
	}
	entries, err := fs.ReadDir(consoleFiles, "console/vendor")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "README.md" {
			continue
		}
		sum, ok := want[name]
		if !ok {
			t.Errorf("console/vendor/%s is not recorded in README.md", name)
			continue
		}
		b, err := consoleFiles.ReadFile("console/vendor/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("console/vendor/%s: sha256 %x, README.md records %s", name, got, sum)
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("README.md records console/vendor/%s, which is missing", name)
	}
}

// TestConsoleModulesResolve checks that every relative import of the
// console's modules names an embedded file, since the browser would only
// report a missing one at run time.
func TestConsoleModulesResolve(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^import .* from '(\.[^']+)';$`)
	err := fs.WalkDir(consoleFiles, "console/js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := consoleFiles.ReadFile(path)
		if err != nil {
			return err
		}
		dir := path[:strings.LastIndexByte(path, '/')]
		for _, m := range imp.FindAllStringSubmatch(string(src), -1) {
			target := resolve(dir, m[1])
			if _, err := fs.Stat(consoleFiles, target); err != nil {
				t.Errorf("%s imports %s: %v", path, m[1], err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func resolve(dir, rel string) string {
	parts := strings.Split(dir, "/")
	for _, p := range strings.Split(rel, "/") {
		switch p {
		case ".":
		case "..":
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}
