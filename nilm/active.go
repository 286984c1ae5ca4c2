package nilm

import (
	"crypto/ecdsa"
	"fmt"
	"sync/atomic"
)

// Active is the library a meter classifies with. Update replaces it only
// with a library that verifies against the trusted key and is newer; on any
// error the library in use stays. Safe for concurrent use.
type Active struct {
	trusted *ecdsa.PublicKey
	cur     atomic.Pointer[Classifier]
}

// NewActive returns an Active that trusts key and has no library yet.
func NewActive(trusted *ecdsa.PublicKey) *Active {
	return &Active{trusted: trusted}
}

// Update loads lib and makes it the active library. It returns ErrSignature
// or ErrLibrary (wrapped) for a library it refuses, ErrStale when the
// version is not above the active one's.
func (a *Active) Update(lib []byte) error {
	c, err := Load(lib, a.trusted)
	if err != nil {
		return err
	}
	for {
		old := a.cur.Load()
		if old != nil && c.version <= old.version {
			return fmt.Errorf("%w: version %d, active %d", ErrStale, c.version, old.version)
		}
		if a.cur.CompareAndSwap(old, c) {
			return nil
		}
	}
}

// Classifier is the active classifier, nil before the first Update.
func (a *Active) Classifier() *Classifier { return a.cur.Load() }
