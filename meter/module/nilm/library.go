package nilm

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/firmware"
	nilmcore "github.com/amigo-ami/amigo/nilm"
)

// The library transfer's image_block_size and the largest library it
// takes (the library format's own bound on its body).
const (
	libraryBlockSize = 192
	libraryMaxSize   = 1 << 20
)

// UpdateResult is the outcome of the last remote library update.
type UpdateResult uint8

// Update outcomes (the last_update enum of LibraryLN).
const (
	NoUpdate     UpdateResult = iota // none since the meter started
	Activated                        // verified and active
	BadSignature                     // refused: the signature does not verify against the trusted key
	Stale                            // refused: its version is not above the active one's
	Malformed                        // refused: not a library this module reads
)

// Library is the state of the module's feature library.
type Library struct {
	Installed  bool // false until a library verifies
	Version    uint32
	SHA256     [32]byte // of the whole signed library
	Appliances int      // labels the library knows
	LastUpdate UpdateResult
}

// Library returns the active library's identification.
func (mod *Module) Library() Library {
	mod.mu.Lock()
	defer mod.mu.Unlock()
	return mod.lib
}

// install makes a signed library the active one: it must verify and be
// newer than the active one. Its labels get appliance ids (a label known
// from an earlier library keeps its id). Called without mod.mu held.
func (mod *Module) install(lib []byte) error {
	if err := mod.active.Update(lib); err != nil {
		return err
	}
	c := mod.active.Classifier()
	mod.mu.Lock()
	defer mod.mu.Unlock()
	for _, l := range c.Labels() {
		if _, ok := mod.ids[l]; !ok {
			mod.names = append(mod.names, l)
			mod.ids[l] = uint16(len(mod.names))
		}
	}
	mod.lib.Installed, mod.lib.Version, mod.lib.SHA256, mod.lib.Appliances = true, c.Version(), sha256.Sum256(lib), len(c.Labels())
	return nil
}

// outcome names the result of a refused library.
func outcome(err error) (UpdateResult, eventlog.Code) {
	switch {
	case errors.Is(err, nilmcore.ErrStale):
		return Stale, eventlog.NILMLibraryStale
	case errors.Is(err, nilmcore.ErrSignature):
		return BadSignature, eventlog.NILMLibraryRefused
	}
	return Malformed, eventlog.NILMLibraryRefused
}

// refuse records a refused library: the outcome object, the meter's
// firmware log and the module's log.
func (mod *Module) refuse(err error) {
	res, code := outcome(err)
	mod.mu.Lock()
	mod.lib.LastUpdate = res
	mod.mu.Unlock()
	mod.log.Warn("feature library refused", "err", err)
	mod.m.Record(code)
}

// keep writes the active library to LibraryFile (atomically: a crash
// leaves the old file or the new one).
func (mod *Module) keep(lib []byte) error {
	if mod.cfg.LibraryFile == "" {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(mod.cfg.LibraryFile), ".nilm-library-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(lib)
	err = errors.Join(err, tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), mod.cfg.LibraryFile)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// libraryImages is the library's image transfer (IC 18, LibraryTransferLN):
// a library is transferred in blocks, verified (signature against the
// trusted key, format, a version above the active one) and activated.
// Whatever is refused leaves the active library as it is.
type libraryImages struct{ mod *Module }

func (l libraryImages) Transfer(fn func(*firmware.Transfer)) {
	l.mod.mu.Lock()
	defer l.mod.mu.Unlock()
	fn(l.mod.transfer)
}

func (l libraryImages) Initiate(ident []byte, size uint32) error {
	var err error
	l.Transfer(func(tr *firmware.Transfer) { err = tr.Initiate(ident, size) })
	return err
}

func (l libraryImages) Block(n uint32, b []byte) error {
	var err error
	l.Transfer(func(tr *firmware.Transfer) { err = tr.Block(n, b) })
	return err
}

// Verify checks the transferred library without activating it.
func (l libraryImages) Verify() error {
	mod := l.mod
	var err error
	l.Transfer(func(tr *firmware.Transfer) {
		err = tr.VerifyWith(func(raw []byte) ([]byte, error) {
			c, err := nilmcore.Load(raw, mod.cfg.PublicKey)
			if err != nil {
				return nil, err
			}
			if mod.lib.Installed && c.Version() <= mod.lib.Version {
				return nil, fmt.Errorf("%w: version %d, active %d", nilmcore.ErrStale, c.Version(), mod.lib.Version)
			}
			sum := sha256.Sum256(raw)
			return sum[:], nil
		})
	})
	if err != nil && !errors.Is(err, firmware.ErrTransfer) {
		mod.refuse(err)
	}
	return err
}

// Activate makes the verified library the active one and keeps it.
func (l libraryImages) Activate() error {
	mod := l.mod
	var raw []byte
	var err error
	l.Transfer(func(tr *firmware.Transfer) { _, raw, err = tr.Activate() })
	if err != nil {
		return err
	}
	if err := mod.install(raw); err != nil {
		mod.refuse(err) // a newer library came first
		return err
	}
	mod.mu.Lock()
	mod.lib.LastUpdate = Activated
	v := mod.lib.Version
	mod.mu.Unlock()
	mod.log.Info("feature library activated", "version", v)
	mod.m.Record(eventlog.NILMLibraryActivated)
	if err := mod.keep(raw); err != nil {
		mod.log.Error("feature library not kept; the configured one returns at restart", "file", mod.cfg.LibraryFile, "err", err)
	}
	return nil
}
