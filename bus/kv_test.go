package bus

import (
	"errors"
	"sync"
	"testing"
)

func TestKVCompareAndSet(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	kv, err := b.KeyValue(ctx, "counters", 0)
	if err != nil {
		t.Fatal(err)
	}
	key := MeterToken("LGZ.1") + ".ic"

	if _, err := kv.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Create = %v, want ErrNotFound", err)
	}
	r1, err := kv.Create(ctx, key, []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, key, []byte("other")); !errors.Is(err, ErrConflict) {
		t.Fatalf("second Create = %v, want ErrConflict", err)
	}
	r2, err := kv.Update(ctx, key, []byte("2"), r1)
	if err != nil {
		t.Fatal(err)
	}
	if r2 <= r1 {
		t.Errorf("revision after Update %d, not after %d", r2, r1)
	}
	if _, err := kv.Update(ctx, key, []byte("stale"), r1); !errors.Is(err, ErrConflict) {
		t.Fatalf("Update with stale revision = %v, want ErrConflict", err)
	}
	if e, err := kv.Get(ctx, key); err != nil || string(e.Value) != "2" || e.Revision != r2 {
		t.Fatalf("Get = %q rev %d, %v; want \"2\" rev %d", e.Value, e.Revision, err, r2)
	}
	if err := kv.Delete(ctx, key, r1); !errors.Is(err, ErrConflict) {
		t.Fatalf("Delete with stale revision = %v, want ErrConflict", err)
	}
	if err := kv.Delete(ctx, key, r2); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	if _, err := kv.Create(ctx, key, []byte("1")); err != nil {
		t.Fatalf("Create after Delete = %v", err)
	}
	if _, err := kv.Create(ctx, "bad key", nil); err == nil || errors.Is(err, ErrConflict) {
		t.Errorf("Create with a space in the key = %v, want an invalid-key error", err)
	}
}

// TestKVIncrementRace is the invocation-counter pattern: head-ends racing
// to take the next counter value each get a distinct one.
func TestKVIncrementRace(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	kv, err := b.KeyValue(ctx, "counters", 0)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 25
	if _, err := kv.Create(ctx, "M1.ic", []byte{0}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	taken := map[byte]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				for {
					e, err := kv.Get(ctx, "M1.ic")
					if err != nil {
						t.Error(err)
						return
					}
					next := e.Value[0] + 1
					_, err = kv.Update(ctx, "M1.ic", []byte{next}, e.Revision)
					if errors.Is(err, ErrConflict) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					taken[next]++
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	if len(taken) != workers*each {
		t.Errorf("%d distinct values taken, want %d", len(taken), workers*each)
	}
	for v, n := range taken {
		if n != 1 {
			t.Errorf("value %d taken %d times", v, n)
		}
	}
	if e, err := kv.Get(ctx, "M1.ic"); err != nil || e.Value[0] != workers*each {
		t.Errorf("final counter %v, %v; want %d", e.Value, err, workers*each)
	}
}
