package fault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// LoadFile reads a fault file (TOML; see the package documentation).
func LoadFile(path string) (Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, fmt.Errorf("%w: %w", ErrSpec, err)
	}
	return ParseFile(path, b)
}

// ParseFile reads a fault file's contents; name is the file name errors
// begin with ("faults.toml:4: offline: …").
func ParseFile(name string, b []byte) (Spec, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(b), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Spec{}, fmt.Errorf("%w: %s:%d: %s", ErrSpec, name, pe.Position.Line, pe.Message)
		}
		return Spec{}, fmt.Errorf("%w: %s: %w", ErrSpec, name, err)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	// In file order, so the error reported is the first in the file.
	lines := func(k string) int { return keyLine(b, k) }
	slices.SortFunc(keys, func(x, y string) int { return lines(x) - lines(y) })
	var spec Spec
	for _, k := range keys {
		var v string
		switch x := doc[k].(type) {
		case string:
			v = x
		case int64:
			v = strconv.FormatInt(x, 10)
		case float64:
			v = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			return Spec{}, fmt.Errorf("%w: %s:%d: %s: want a string or a number", ErrSpec, name, lines(k), k)
		}
		if err := spec.set(k, v); err != nil {
			return Spec{}, fmt.Errorf("%w: %s:%d: %s: %w", ErrSpec, name, lines(k), k, err)
		}
	}
	return spec, nil
}

// keyLine is the 1-based line where top-level key k is set (0 if not
// found).
func keyLine(b []byte, k string) int {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		key, _, ok := strings.Cut(line, "=")
		if ok && strings.Trim(strings.TrimSpace(key), `"'`) == k {
			return n
		}
	}
	return 0
}
