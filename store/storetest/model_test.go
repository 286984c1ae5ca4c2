package storetest

import (
	"testing"

	"github.com/amigo-ami/amigo/store"
)

// TestModel runs the conformance suite against the Model itself, which
// checks the hand-computed cases against the plainest implementation.
func TestModel(t *testing.T) {
	Run(t, Engine{Open: func(*testing.T) store.Store { return NewModel() }})
}
