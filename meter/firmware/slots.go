package firmware

import (
	"crypto/sha256"
	"errors"
)

// Slot is an installed image: its version and the SHA-256 of the whole
// signed image (what firmware signature objects show).
type Slot struct {
	Version string
	Hash    [32]byte
	Raw     []byte `json:"-"` // the signed image, for a reboot into it; nil for the factory image
}

// Slots are the active and passive image slots.
type Slots struct {
	Active, Passive Slot
	// Trial is set while the active image has not passed its self-test.
	Trial bool
}

// Factory returns slots holding only the factory image of version.
func Factory(version string) Slots {
	return Slots{Active: Slot{Version: version, Hash: sha256.Sum256([]byte("amigo factory image " + version))}}
}

// Install activates raw (a verified image): the active image moves to the
// passive slot and the new one runs on trial.
func (s *Slots) Install(img *Image, raw []byte) {
	s.Passive = s.Active
	s.Active = Slot{Version: img.Version, Hash: sha256.Sum256(raw), Raw: raw}
	s.Trial = true
}

// ErrNoRollback is returned when there is no previous image.
var ErrNoRollback = errors.New("firmware: no previous image to roll back to")

// Commit ends the trial: the active image stays.
func (s *Slots) Commit() { s.Trial = false }

// Rollback returns to the passive image.
func (s *Slots) Rollback() error {
	if s.Passive.Version == "" {
		return ErrNoRollback
	}
	s.Active, s.Passive = s.Passive, s.Active
	s.Trial = false
	return nil
}
