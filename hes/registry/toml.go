package registry

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// tomlFile is the TOML import format.
type tomlFile struct {
	Meter []map[string]any          `toml:"meter"`
	Keys  map[string]map[string]any `toml:"keys"`
}

// ParseTOML reads meters and key sets from TOML (see the package doc).
// Problems are returned, joined, one per line as "name:LINE: reason".
func ParseTOML(name string, r io.Reader) ([]Entry, map[string]KeySet, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var f tomlFile
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg := pe.Message
			if msg == "" { // older decoders leave it in Error only
				msg = pe.Error()
				if i := strings.Index(msg, "): "); i >= 0 {
					msg = msg[i+3:]
				} else if _, after, ok := strings.Cut(msg, fmt.Sprintf("line %d: ", pe.Position.Line)); ok {
					msg = after
				}
			}
			return nil, nil, fmt.Errorf("%s:%d: %s", name, pe.Position.Line, msg)
		}
		return nil, nil, fmt.Errorf("%s:1: %v", name, err)
	}
	lines := tableLines(src)
	var errs []error
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] != "meter" && k[0] != "keys" {
			errs = append(errs, fmt.Errorf("%s:%d: unknown table or key %q (want [[meter]] and [keys.NAME])", name, lines.find(k.String()), k.String()))
		}
	}
	var out []Entry
	seen := map[string]string{}
	for i, m := range f.Meter {
		header := lines.table("[[meter]]", i)
		flds, bad := stringFields(m, entryFields)
		e, more := flds.entry()
		e.Where = fmt.Sprintf("%s:%d", name, header)
		e.lines = map[string]string{}
		for k := range flds {
			e.lines[k] = fmt.Sprintf("%s:%d", name, lines.keyIn(header, k))
		}
		if prev, dup := seen[e.Serial]; dup && e.Serial != "" {
			more = append(more, fmt.Sprintf("serial %s already at %s", e.Serial, prev))
		}
		seen[e.Serial] = e.Where
		for _, b := range append(bad, more...) {
			errs = append(errs, fmt.Errorf("%s:%d: %s", name, lines.keyIn(header, b), b))
		}
		out = append(out, e)
	}
	keys := map[string]KeySet{}
	names := make([]string, 0, len(f.Keys))
	for n := range f.Keys {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		header := lines.find("[keys." + n + "]")
		flds, bad := stringFields(f.Keys[n], []string{"guek", "gak", "kek", "password"})
		ks, more := flds.keySet()
		ks.Where = fmt.Sprintf("%s:%d", name, header)
		for _, b := range append(bad, more...) {
			errs = append(errs, fmt.Errorf("%s:%d: key set %s: %s", name, lines.keyIn(header, b), n, b))
		}
		keys[n] = ks
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return out, keys, nil
}

// stringFields turns a TOML table into fields: every value must be a
// string (or, for convenience, an integer) under a known key.
func stringFields(m map[string]any, known []string) (fields, []string) {
	f := fields{}
	var bad []string
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			bad = append(bad, fmt.Sprintf("%s: unknown key (want %s)", k, strings.Join(known, ", ")))
			continue
		}
		switch v := m[k].(type) {
		case string:
			f[k] = v
		case int64:
			f[k] = fmt.Sprint(v)
		default:
			bad = append(bad, fmt.Sprintf("%s: want a string, not %T", k, v))
		}
	}
	return f, bad
}

// sourceLines finds the lines of TOML tables and keys, since the decoder
// reports positions only for syntax errors.
type sourceLines []string

func tableLines(src []byte) sourceLines {
	var out sourceLines
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimSpace(sc.Text()))
	}
	return out
}

// table returns the line of the nth (0-based) header equal to h.
func (s sourceLines) table(h string, nth int) int {
	for i, l := range s {
		if strings.HasPrefix(l, h) {
			if nth == 0 {
				return i + 1
			}
			nth--
		}
	}
	return 1
}

// find returns the line of the first header or key starting with prefix.
func (s sourceLines) find(prefix string) int {
	for i, l := range s {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	return 1
}

// keyIn returns the line, within the table starting at header, of the key
// a problem names (the problem's first word), or the header's line.
func (s sourceLines) keyIn(header int, problem string) int {
	key, _, _ := strings.Cut(problem, " ")
	key = strings.TrimSuffix(key, ":")
	for i := header; i < len(s); i++ {
		if strings.HasPrefix(s[i], "[") {
			break
		}
		if k, _, ok := strings.Cut(s[i], "="); ok && strings.TrimSpace(k) == key {
			return i + 1
		}
	}
	return header
}
