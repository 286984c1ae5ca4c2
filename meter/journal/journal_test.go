package journal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func open(t *testing.T, dir string) (*Journal, []byte, [][]byte) {
	t.Helper()
	j, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, r, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, s, r
}

func TestAppendSnapshotLoad(t *testing.T) {
	dir := t.TempDir()
	j, s, r := open(t, dir)
	if s != nil || len(r) != 0 {
		t.Fatalf("fresh dir: %q %q", s, r)
	}
	for i := range 3 {
		if err := j.Append(fmt.Appendf(nil, "r%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	j, s, r = open(t, dir)
	if s != nil || len(r) != 3 || string(r[2]) != "r2" || j.Records() != 3 {
		t.Fatalf("after reopen: %q %q", s, r)
	}
	if err := j.Snapshot([]byte("state-1")); err != nil {
		t.Fatal(err)
	}
	j.Append([]byte("r3"))
	j.Close()
	_, s, r = open(t, dir)
	if string(s) != "state-1" || len(r) != 1 || string(r[0]) != "r3" {
		t.Fatalf("after snapshot: %q %q", s, r)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Fatalf("files %v", ents)
	}
}

func TestTornTailIsCut(t *testing.T) {
	dir := t.TempDir()
	j, _, _ := open(t, dir)
	j.Append([]byte("good"))
	j.Append([]byte("also good"))
	j.Close()
	path := filepath.Join(dir, "journal-0")
	b, _ := os.ReadFile(path)
	for cut := len(b) - 1; cut > 12; cut-- { // every torn length of the second record
		os.WriteFile(path, b[:cut], 0o600)
		j, _, r := open(t, dir)
		if len(r) != 1 || string(r[0]) != "good" {
			t.Fatalf("cut at %d: %q", cut, r)
		}
		// The next record follows the good data.
		j.Append([]byte("next"))
		j.Close()
		_, _, r = open(t, dir)
		if len(r) != 2 || string(r[1]) != "next" {
			t.Fatalf("cut at %d, then append: %q", cut, r)
		}
		os.WriteFile(path, b, 0o600)
	}
	// A flipped bit stops replay there.
	bad := bytes.Clone(b)
	bad[len(bad)-2] ^= 1
	os.WriteFile(path, bad, 0o600)
	if _, _, r := open(t, dir); len(r) != 1 {
		t.Fatalf("corrupt record replayed: %q", r)
	}
}

func TestCrashBetweenSnapshotAndNewJournal(t *testing.T) {
	dir := t.TempDir()
	j, _, _ := open(t, dir)
	j.Append([]byte("old"))
	j.Snapshot([]byte("s1"))
	j.Append([]byte("after s1"))
	j.Close()
	// Simulate a crash right after the snapshot rename of generation 2:
	// the new snapshot exists, journal-1 is stale, journal-2 absent.
	payload := append([]byte{0, 0, 0, 0, 0, 0, 0, 2}, "s2"...)
	os.WriteFile(filepath.Join(dir, "snapshot"), appendFrame(nil, payload), 0o600)
	os.WriteFile(filepath.Join(dir, "snapshot.tmp123"), []byte("junk"), 0o600)
	_, s, r := open(t, dir)
	if string(s) != "s2" || len(r) != 0 {
		t.Fatalf("got %q %q", s, r)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "snapshot" && e.Name() != "journal-2" {
			t.Errorf("stale file %s left", e.Name())
		}
	}
}

func TestCorruptSnapshot(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "snapshot"), []byte("garbage"), 0o600)
	j, _ := Open(dir, Options{})
	if _, _, err := j.Load(); err == nil {
		t.Fatal("garbage snapshot loaded")
	}
}

func FuzzFrames(f *testing.F) {
	f.Add(appendFrame(appendFrame(nil, []byte("a")), []byte("bc")))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, n := frames(b)
		if n > len(b) {
			t.Fatalf("spans %d of %d bytes", n, len(b))
		}
		var re []byte
		for _, p := range out {
			re = appendFrame(re, p)
		}
		if !bytes.Equal(re, b[:n]) {
			t.Fatal("frames do not re-encode to the bytes they span")
		}
	})
}
