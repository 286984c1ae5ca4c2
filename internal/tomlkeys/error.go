package tomlkeys

import (
	"fmt"
	"strings"
)

// Error is a mistake in a configuration file, at the line of the key at
// fault when there is one: "amigo.toml:12: hes.workers: reason". It wraps
// Kind, the sentinel of the file's kind (errors.Is(err, ami.ErrConfig)).
type Error struct {
	File string
	Line int // 0: about the file as a whole
	Key  string
	Msg  string
	Kind error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Kind }
