package pebble

import (
	"context"
	"testing"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/storetest"
)

func openTest(t *testing.T, dir string, opts Options) *DB {
	t.Helper()
	opts.NoSync = true
	d, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func engine(opts Options) storetest.Engine {
	dirs := map[store.Store]string{}
	return storetest.Engine{
		Open: func(t *testing.T) store.Store {
			dir := t.TempDir()
			d := openTest(t, dir, opts)
			dirs[d] = dir
			return d
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			dir := dirs[s]
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			d := openTest(t, dir, opts)
			dirs[d] = dir
			return d
		},
		Maintain: func(t *testing.T, s store.Store) {
			if err := s.(*DB).Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func TestConformance(t *testing.T) {
	t.Run("flush=default", func(t *testing.T) { storetest.Run(t, engine(Options{})) })
	// Flushing every few readings sends most queries to stored blocks and
	// most appends to blocks loaded back from Pebble.
	t.Run("flush=7", func(t *testing.T) { storetest.Run(t, engine(Options{FlushReadings: 7})) })
}
