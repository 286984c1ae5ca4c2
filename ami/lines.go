package ami

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// lineIndex maps the keys of a TOML file to the lines that set them:
// "log.level" → 4, "hes.schedule[1]" → 30 (the table header),
// "hes.schedule[1].kind" → 32. The TOML decoder reports lines for syntax
// errors and values it could not take, not for keys it did not know or
// for values that are wrong together, which is what this is for.
type lineIndex map[string]int

// keyLines indexes src. It follows [table] and [[array]] headers and
// "key =" lines; keys of an inline table map to its line, and the lines
// inside multi-line values are not keys unless they look like one, which
// is close enough for naming a line in an error.
func keyLines(src []byte) lineIndex {
	idx := lineIndex{}
	arrays := map[string]int{}
	table := ""
	for n, raw := range bytes.Split(src, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		switch {
		case strings.HasPrefix(line, "[["):
			name := strings.TrimSpace(strings.Trim(strings.SplitN(line, "]]", 2)[0], "[ "))
			table = fmt.Sprintf("%s[%d]", name, arrays[name])
			arrays[name]++
		case strings.HasPrefix(line, "["):
			table = strings.TrimSpace(strings.Trim(strings.SplitN(line, "]", 2)[0], "[ "))
		default:
			key, _, ok := strings.Cut(line, "=")
			key = strings.TrimSpace(key)
			if !ok || key == "" || strings.HasPrefix(key, "#") || strings.ContainsAny(key, `"' `) {
				continue
			}
			if table != "" {
				key = table + "." + key
			}
			if _, seen := idx[key]; !seen {
				idx[key] = n + 1
			}
			continue
		}
		idx[table] = n + 1
	}
	return idx
}

// find returns the line of key, of the first array element holding it
// when key names no index, or of its nearest enclosing table; 0 if none.
func (idx lineIndex) find(key string) int {
	for k := key; k != ""; {
		if l, ok := idx[k]; ok {
			return l
		}
		best := 0
		for name, l := range idx {
			if unindexed(name) == k && (best == 0 || l < best) {
				best = l
			}
		}
		if best > 0 {
			return best
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// of returns the line of a key as the decoder names it.
func (idx lineIndex) of(k toml.Key) int { return idx.find(k.String()) }

// unindexed drops the array indices of a key: "a[1].b" → "a.b".
func unindexed(key string) string {
	var b strings.Builder
	skip := false
	for _, r := range key {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}
