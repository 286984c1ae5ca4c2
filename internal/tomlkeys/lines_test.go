package tomlkeys

import (
	"bytes"
	"errors"
	"testing"
)

const doc = `zone = "UTC"
[log]
level = "debug"   # a comment
[[hes.schedule]]
name = "a"
[[hes.schedule]]
name = "b"
kind = "read-profile"
params = { from = "x" }
[store]
meta.url = "sqlite:x"
s = """
not = a key
"""
`

func TestIndex(t *testing.T) {
	l := Index([]byte(doc))
	for key, want := range map[string]int{
		"zone":                   1,
		"log":                    2,
		"log.level":              3,
		"hes.schedule[0]":        4,
		"hes.schedule[0].name":   5,
		"hes.schedule[1]":        6,
		"hes.schedule[1].kind":   8,
		"hes.schedule[1].params": 9,
		"store.meta.url":         11,
	} {
		if got := l[key]; got != want {
			t.Errorf("%s: line %d, want %d", key, got, want)
		}
	}
	for key, want := range map[string]int{
		"hes.schedule.kind":           8, // the first element that has it
		"hes.schedule.name":           5,
		"hes.schedule[1].params.from": 9, // inside an inline table
		"log.colour":                  2, // unknown: its table
		"nothing":                     0,
	} {
		if got := l.Find(key); got != want {
			t.Errorf("Find(%s): line %d, want %d", key, got, want)
		}
	}
}

func TestError(t *testing.T) {
	kind := errors.New("amigo.toml")
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.toml", Line: 12, Key: "hes.workers", Msg: "-1 is negative", Kind: kind}, "a.toml:12: hes.workers: -1 is negative"},
		{Error{File: "a.toml", Msg: "no such file", Kind: kind}, "a.toml: no such file"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.e, kind) {
			t.Errorf("%v does not wrap its kind", &tc.e)
		}
	}
}

// Index and Find take any text and any key: lines are within the text.
func FuzzIndex(f *testing.F) {
	f.Add([]byte(doc), "hes.schedule.kind")
	f.Add([]byte("[[a]]\n[[a]]\nb = 1\n"), "a[1].b")
	f.Add([]byte("[\n=\n[[]]\n"), "[")
	f.Fuzz(func(t *testing.T, src []byte, key string) {
		l := Index(src)
		lines := bytes.Count(src, []byte("\n")) + 1
		for k, n := range l {
			if n < 1 || n > lines {
				t.Fatalf("%q at line %d of %d", k, n, lines)
			}
		}
		if n := l.Find(key); n < 0 || n > lines {
			t.Fatalf("Find(%q) = %d of %d lines", key, n, lines)
		}
	})
}
