package push

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/amigo-ami/amigo/store"
)

// The counter journal keeps the last invocation counter accepted from
// every meter that pushed, so that a push replayed after a restart is still
// refused. Each flush of the listener appends one frame and syncs it
// before the batch it covers is published:
//
//	+------+-----------+------------------------------------+-----------------+
//	| 'J'  | n: u32 BE | n × (meter: u64 BE | counter: u32 BE) | CRC-32C: u32 BE |
//	+------+-----------+------------------------------------+-----------------+
//
// the CRC covering everything before it. Reading stops at the first frame
// that is short or fails its CRC (a write torn by a crash), which is cut
// off. When the file grows past four times its live content it is
// rewritten as one frame (write, sync, rename, sync the directory).

const (
	journalFrameHead = 1 + 4
	journalEntry     = 8 + 4
	journalCRC       = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// counterEntry is one meter's last accepted counter.
type counterEntry struct {
	meter store.MeterID
	ic    uint32
}

// appendJournalFrame appends the frame of entries to dst.
func appendJournalFrame(dst []byte, entries []counterEntry) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(append(dst, 'J'), uint32(len(entries)))
	for _, e := range entries {
		dst = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(dst, uint64(e.meter)), e.ic)
	}
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// decodeJournal reads frames from b into state and returns the length of
// the valid prefix; err says why reading stopped early (nil at the end).
func decodeJournal(b []byte, state map[store.MeterID]uint32) (int, error) {
	off := 0
	for off < len(b) {
		rest := b[off:]
		if len(rest) < journalFrameHead+journalCRC || rest[0] != 'J' {
			return off, fmt.Errorf("push: counter journal: bad frame at offset %d", off)
		}
		n := binary.BigEndian.Uint32(rest[1:])
		if uint64(n) > uint64(len(rest)-journalFrameHead-journalCRC)/journalEntry {
			return off, fmt.Errorf("push: counter journal: frame at offset %d claims %d entries", off, n)
		}
		body := journalFrameHead + int(n)*journalEntry
		if crc32.Checksum(rest[:body], castagnoli) != binary.BigEndian.Uint32(rest[body:]) {
			return off, fmt.Errorf("push: counter journal: CRC mismatch at offset %d", off)
		}
		for k := 0; k < int(n); k++ {
			e := rest[journalFrameHead+k*journalEntry:]
			m, ic := store.MeterID(binary.BigEndian.Uint64(e)), binary.BigEndian.Uint32(e[8:])
			if old, ok := state[m]; !ok || ic > old {
				state[m] = ic
			}
		}
		off += body + journalCRC
	}
	return off, nil
}

// journal is the open counter journal.
type journal struct {
	path string
	f    *os.File
	size int64
	live int // meters in the state
	buf  []byte
}

// openJournal opens (creating) the journal at path and returns the
// counters it holds; a torn tail is cut off.
func openJournal(path string) (*journal, map[store.MeterID]uint32, error) {
	state := map[store.MeterID]uint32{}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("push: counter journal: %w", err)
	}
	valid, _ := decodeJournal(b, state)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("push: counter journal: %w", err)
	}
	if err := f.Truncate(int64(valid)); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("push: counter journal: %w", err)
	}
	if _, err := f.Seek(int64(valid), 0); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("push: counter journal: %w", err)
	}
	return &journal{path: path, f: f, size: int64(valid), live: len(state)}, state, nil
}

// write appends and syncs one frame of entries.
func (j *journal) write(entries []counterEntry) error {
	if len(entries) == 0 {
		return nil
	}
	j.buf = appendJournalFrame(j.buf[:0], entries)
	if _, err := j.f.Write(j.buf); err != nil {
		return fmt.Errorf("push: counter journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("push: counter journal: %w", err)
	}
	j.size += int64(len(j.buf))
	return nil
}

// needsCompaction reports whether the file holds four times what live
// meters need.
func (j *journal) needsCompaction(live int) bool {
	return j.size > 1<<20 && j.size > 4*int64(journalFrameHead+live*journalEntry+journalCRC)
}

// compact rewrites the journal as one frame holding state.
func (j *journal) compact(state []counterEntry) error {
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("push: counter journal: %w", err)
	}
	j.buf = appendJournalFrame(j.buf[:0], state)
	_, err = f.Write(j.buf)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, j.path)
	}
	if err != nil {
		f.Close()
		return errors.Join(fmt.Errorf("push: counter journal: %w", err), os.Remove(tmp))
	}
	if dir, err := os.Open(filepath.Dir(j.path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	j.f.Close()
	j.f, j.size, j.live = f, int64(len(j.buf)), len(state)
	return nil
}

func (j *journal) close() error { return j.f.Close() }
