package tomlkeys

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// Lines maps keys to 1-based line numbers.
type Lines map[string]int

var (
	tableHeader = regexp.MustCompile(`^\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?`)
	keyLine     = regexp.MustCompile(`^([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=`)
	arrayIndex  = regexp.MustCompile(`\[\d+\]`)
)

// Index reads the keys of src: table headers, arrays of tables and
// "key =" lines (dotted keys included). The first line that sets a key
// wins.
func Index(src []byte) Lines {
	out := Lines{}
	counts := map[string]int{}
	prefix := ""
	for i, line := range strings.Split(string(src), "\n") {
		s := strings.TrimSpace(line)
		if m := tableHeader.FindStringSubmatch(s); m != nil {
			name := m[1]
			if strings.HasPrefix(s, "[[") {
				name = fmt.Sprintf("%s[%d]", name, counts[name])
				counts[m[1]]++
			}
			prefix = name
			out[prefix] = i + 1
			continue
		}
		if m := keyLine.FindStringSubmatch(s); m != nil {
			k := strings.ReplaceAll(m[1], " ", "")
			if prefix != "" {
				k = prefix + "." + k
			}
			if _, dup := out[k]; !dup {
				out[k] = i + 1
			}
		}
	}
	return out
}

// Find returns the line of key; for a key without array indices (as the
// decoder names undecoded keys) the first element that has it; else the
// line of its nearest enclosing table; 0 if none.
func (l Lines) Find(key string) int {
	for k := key; k != ""; {
		if n, ok := l[k]; ok {
			return n
		}
		best := 0
		for name, n := range l {
			if arrayIndex.ReplaceAllString(name, "") == k && (best == 0 || n < best) {
				best = n
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

// Of returns the line of a key as the decoder's metadata names it.
func (l Lines) Of(k toml.Key) int { return l.Find(k.String()) }
