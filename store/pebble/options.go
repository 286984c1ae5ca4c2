package pebble

import (
	"fmt"
	"log/slog"
)

// Options configure a DB. The zero value is valid: Open fills defaults.
type Options struct {
	// Logger receives the store's and Pebble's messages; nil discards.
	Logger *slog.Logger
	// CacheSize is Pebble's block cache in bytes; 256 MiB if zero.
	CacheSize int64
	// FlushReadings is how many appended readings the in-memory head
	// collects at least before it writes its blocks (see DB.Flush); 4 Mi
	// if zero. Larger values write blocks less often but replay longer
	// after a crash.
	FlushReadings int
	// HeadReadings bounds the readings the head keeps decoded after a
	// flush (24 bytes each); 64 Mi if zero. Past it, a flush drops every
	// block, not only those no longer appended to — a day of 1-minute
	// readings of 10 000 four-channel meters is 58 Mi.
	HeadReadings int
	// NoSync acknowledges an Append before its write-ahead record reaches
	// the disk: a machine crash (not a process crash) can lose the last
	// acknowledged batches. For bulk loads and tests only.
	NoSync bool
}

const (
	defaultCacheSize     = 256 << 20
	defaultFlushReadings = 4 << 20
	defaultHeadReadings  = 64 << 20
)

// EnsureDefaults fills zero fields.
func (o *Options) EnsureDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CacheSize == 0 {
		o.CacheSize = defaultCacheSize
	}
	if o.FlushReadings == 0 {
		o.FlushReadings = defaultFlushReadings
	}
	if o.HeadReadings == 0 {
		o.HeadReadings = defaultHeadReadings
	}
}

// Validate reports a field out of range.
func (o *Options) Validate() error {
	switch {
	case o.CacheSize < 0:
		return fmt.Errorf("pebble store: CacheSize %d < 0", o.CacheSize)
	case o.FlushReadings < 0:
		return fmt.Errorf("pebble store: FlushReadings %d < 0", o.FlushReadings)
	case o.HeadReadings < 0:
		return fmt.Errorf("pebble store: HeadReadings %d < 0", o.HeadReadings)
	}
	return nil
}

// pebbleLogger routes Pebble's messages to slog: its routine reports at
// debug level, its errors at error level.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is Pebble's report of a broken invariant, after which it cannot
// continue; it panics rather than exit the embedding process.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble")
	panic("pebble: " + msg)
}
