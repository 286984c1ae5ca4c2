package pebble

import (
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

var (
	errTruncated = errors.New("truncated")
	errBadVarint = errors.New("bad varint")
)

// CorruptError says where stored bytes stopped making sense. It unwraps to
// store.ErrCorrupt and to the cause.
type CorruptError struct {
	Field  string // the field being read, "block.values"
	Offset int    // byte offset into the value
	Err    error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s: offset %d: %v", e.Field, e.Offset, e.Err)
}

// Unwrap returns the cause and store.ErrCorrupt.
func (e *CorruptError) Unwrap() []error { return []error{store.ErrCorrupt, e.Err} }
