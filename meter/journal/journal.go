package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrCorrupt is returned when the snapshot exists but cannot be read.
var ErrCorrupt = errors.New("journal: corrupt")

// MaxFrame bounds one frame's payload (a hostile or damaged length field
// never sizes an allocation beyond it).
const MaxFrame = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options tune durability.
type Options struct {
	// SyncEvery makes Append fsync the journal when this much time has
	// passed since the last sync (0: never; Snapshot always syncs).
	SyncEvery time.Duration
	// Now is the clock for SyncEvery (default time.Now).
	Now func() time.Time
}

// Journal is a meter's state directory.
type Journal struct {
	dir      string
	opts     Options
	gen      uint64
	f        *os.File
	lastSync time.Time
	records  int
}

// Open opens (creating it if needed) the state directory dir.
func Open(dir string, opts Options) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Journal{dir: dir, opts: opts}, nil
}

// Dir returns the state directory.
func (j *Journal) Dir() string { return j.dir }

// Records returns how many records were appended since the last snapshot
// (including those loaded).
func (j *Journal) Records() int { return j.records }

// Load reads the snapshot (nil when there is none) and the records after
// it, removes journals of other generations, cuts a torn tail and opens
// the journal for appending.
func (j *Journal) Load() (snapshot []byte, records [][]byte, err error) {
	b, err := os.ReadFile(filepath.Join(j.dir, "snapshot"))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, nil, fmt.Errorf("journal: %w", err)
	default:
		frames, _ := frames(b)
		if len(frames) != 1 || len(frames[0]) < 8 {
			return nil, nil, fmt.Errorf("%w: snapshot in %s", ErrCorrupt, j.dir)
		}
		j.gen = binary.BigEndian.Uint64(frames[0])
		snapshot = frames[0][8:]
	}
	if err := j.removeStale(); err != nil {
		return nil, nil, err
	}
	path := j.journalPath()
	b, err = os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	records, good := frames(b)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	if err := f.Truncate(int64(good)); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("journal: cut torn tail: %w", err), f.Close())
	}
	if _, err := f.Seek(int64(good), io.SeekStart); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("journal: %w", err), f.Close())
	}
	j.f = f
	j.records = len(records)
	j.lastSync = j.opts.Now()
	return snapshot, records, nil
}

func (j *Journal) journalPath() string {
	return filepath.Join(j.dir, "journal-"+strconv.FormatUint(j.gen, 10))
}

// removeStale deletes journals of other generations and leftover
// temporary files.
func (j *Journal) removeStale() error {
	ents, err := os.ReadDir(j.dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	keep := filepath.Base(j.journalPath())
	for _, e := range ents {
		n := e.Name()
		if (strings.HasPrefix(n, "journal-") && n != keep) || strings.HasPrefix(n, "snapshot.tmp") {
			if err := os.Remove(filepath.Join(j.dir, n)); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
		}
	}
	return nil
}

// frames splits b into the payloads of its valid frames and returns how
// many bytes they span; it stops at the first incomplete or bad frame.
func frames(b []byte) ([][]byte, int) {
	var out [][]byte
	off := 0
	for len(b)-off >= 8 {
		n := binary.BigEndian.Uint32(b[off:])
		sum := binary.BigEndian.Uint32(b[off+4:])
		if n > MaxFrame || uint64(n) > uint64(len(b)-off-8) {
			break
		}
		p := b[off+8 : off+8+int(n)]
		if crc32.Checksum(p, castagnoli) != sum {
			break
		}
		out = append(out, p)
		off += 8 + int(n)
	}
	return out, off
}

func appendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli))
	return append(dst, payload...)
}

// Append writes one record in one write.
func (j *Journal) Append(record []byte) error {
	if j.f == nil {
		return errors.New("journal: Append before Load")
	}
	if len(record) > MaxFrame {
		return fmt.Errorf("journal: record of %d bytes", len(record))
	}
	if _, err := j.f.Write(appendFrame(make([]byte, 0, 8+len(record)), record)); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.records++
	if j.opts.SyncEvery > 0 {
		if now := j.opts.Now(); now.Sub(j.lastSync) >= j.opts.SyncEvery {
			j.lastSync = now
			return j.Sync()
		}
	}
	return nil
}

// Sync makes every appended record durable.
func (j *Journal) Sync() error {
	if j.f == nil {
		return nil
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Snapshot replaces the state with state (which must include everything
// appended so far) and starts an empty journal.
func (j *Journal) Snapshot(state []byte) error {
	if len(state)+8 > MaxFrame {
		return fmt.Errorf("journal: snapshot of %d bytes", len(state))
	}
	gen := j.gen + 1
	payload := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(state)), gen)
	payload = append(payload, state...)
	if err := WriteFile(j.dir, "snapshot", appendFrame(nil, payload)); err != nil {
		return err
	}
	old := j.f
	j.gen = gen
	f, err := os.OpenFile(j.journalPath(), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.f, j.records = f, 0
	if old != nil {
		name := old.Name()
		if err := errors.Join(old.Close(), os.Remove(name)); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	return nil
}

// WriteFile replaces file name in dir with b atomically and durably (a
// temporary file, synced, renamed over it, the directory synced): a crash
// leaves the old content or the new, never a mix. The file is readable by
// its owner only. A meter's other state files (its keys) go this way.
func WriteFile(dir, name string, b []byte) error {
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		return errors.Join(fmt.Errorf("journal: %w", err), os.Remove(tmp.Name()))
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := errors.Join(d.Sync(), d.Close()); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Close closes the journal file.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}
