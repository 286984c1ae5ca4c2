package pebble

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/amigo-ami/amigo/store"
)

// DB is a readings store in one Pebble database. It implements
// store.Store and is safe for concurrent use.
type DB struct {
	opts Options
	log  *slog.Logger
	kv   *pebble.DB

	// gate is held shared by each Append from the moment it changes the
	// head until its write-ahead record is durable, and exclusively by
	// flush and Close, which so see no half-committed Append.
	gate sync.RWMutex
	// mu guards head, seq, err and closed: exclusively to change them,
	// shared to query.
	mu     sync.RWMutex
	head   head
	seq    uint64 // sequence number of the last write-ahead record
	err    error  // sticky: a write-ahead record failed after its batch was applied
	closed bool

	flushing atomic.Bool
	encs     [4]blockEncoder // flush's, one per encoding goroutine, under gate
	scans    sync.Pool       // *seriesIter: Pebble keeps an iterator's options and bounds while it is open
}

var _ store.Store = (*DB)(nil)

// Open opens or creates the store in dir and replays the write-ahead
// records of Appends that were acknowledged but not yet flushed.
func Open(ctx context.Context, dir string, opts Options) (*DB, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	cache := pebble.NewCache(opts.CacheSize)
	defer cache.Unref()
	po := &pebble.Options{
		Cache:              cache,
		Logger:             pebbleLogger{opts.Logger},
		FormatMajorVersion: pebble.FormatNewest,
		MemTableSize:       64 << 20,
	}
	kv, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("pebble store %s: %w", dir, err)
	}
	d := &DB{opts: opts, log: opts.Logger, kv: kv, head: newHead()}
	if err := d.checkFormat(); err != nil {
		return nil, errors.Join(fmt.Errorf("pebble store %s: %w", dir, err), kv.Close())
	}
	n, err := d.replay(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("pebble store %s: %w", dir, err), kv.Close())
	}
	d.log.Info("store opened", "dir", dir, "replayed_readings", n)
	return d, nil
}

// checkFormat writes the format key into a new database and refuses one
// written in another format.
func (d *DB) checkFormat() error {
	v, closer, err := d.kv.Get(formatKey)
	if errors.Is(err, pebble.ErrNotFound) {
		return d.kv.Set(formatKey, []byte(formatValue), pebble.Sync)
	}
	if err != nil {
		return err
	}
	defer closer.Close()
	if string(v) != formatValue {
		return fmt.Errorf("format %q, want %q: %w", v, formatValue, store.ErrCorrupt)
	}
	return nil
}

// replay applies the write-ahead records left by the last run to the
// head, in sequence order, and returns the number of readings.
func (d *DB) replay(ctx context.Context) (int, error) {
	it, err := d.kv.NewIter(&pebble.IterOptions{LowerBound: appendWALKey(nil, 0), UpperBound: []byte{prefixWAL + 1}})
	if err != nil {
		return 0, err
	}
	var rows []store.Reading
	var sc applyScratch
	total := 0
	for it.First(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return total, errors.Join(err, it.Close())
		}
		k := it.Key()
		seq := uint64(0)
		if len(k) == walKeyLen {
			seq = binary.BigEndian.Uint64(k[1:])
		}
		rows, err = decodeRecord(rows[:0], it.Value())
		if err != nil {
			return total, errors.Join(fmt.Errorf("write-ahead record %d: %w", seq, err), it.Close())
		}
		if _, err = d.head.apply(rows, d, &sc); err != nil {
			return total, errors.Join(fmt.Errorf("write-ahead record %d: %w", seq, err), it.Close())
		}
		d.seq = seq
		total += len(rows)
	}
	return total, it.Close()
}

// load decodes the stored block id (blockSource).
func (d *DB) load(id blockID, dst []sample) ([]sample, error) {
	v, closer, err := d.kv.Get(appendBlockKey(nil, id))
	if errors.Is(err, pebble.ErrNotFound) {
		return dst, nil
	}
	if err != nil {
		return dst, err
	}
	defer closer.Close()
	s, err := decodeBlock(dst, v, dayStart(id.day))
	if err != nil {
		return dst, fmt.Errorf("block meter %d %s day %d: %w", id.meter, id.channel, id.day, err)
	}
	return s, nil
}

// latestDay finds the latest stored day of s (blockSource).
func (d *DB) latestDay(s series) (uint32, bool, error) {
	lower := appendSeriesPrefix(nil, prefixBlock, s)
	upper := append(appendSeriesPrefix(nil, prefixBlock, s), 0xff, 0xff, 0xff, 0xff, 0xff)
	it, err := d.kv.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return 0, false, err
	}
	if !it.Last() {
		return 0, false, joinClose(nil, it)
	}
	id, ok := parseBlockKey(it.Key())
	if !ok {
		return 0, false, joinClose(fmt.Errorf("block key %x: %w", it.Key(), store.ErrCorrupt), it)
	}
	return id.day, true, it.Close()
}

// Close flushes the head and closes the database. Later calls return nil.
func (d *DB) Close() error {
	d.gate.Lock()
	defer d.gate.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	var err error
	if d.err == nil {
		err = d.flushLocked()
	}
	d.closed = true
	return errors.Join(err, d.kv.Close())
}

// usable reports why the store cannot serve; d.mu must be held.
func (d *DB) usable() error {
	switch {
	case d.closed:
		return store.ErrClosed
	case d.err != nil:
		return fmt.Errorf("%w after a failed write: %w", store.ErrClosed, d.err)
	}
	return nil
}
