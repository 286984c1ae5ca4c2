package hes

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/cosem"
)

// Watermarks keep, per meter and profile, the time of the last entry read
// and durably published: the next read starts after it, so that a read
// after an outage fetches every interval missed (backfill) and none twice.
type Watermarks interface {
	Get(ctx context.Context, meter string, profile cosem.OBIS) (int64, bool, error)
	Set(ctx context.Context, meter string, profile cosem.OBIS, t int64) error
}

// memWatermarks keeps watermarks in memory (no bus).
type memWatermarks struct {
	mu sync.Mutex
	m  map[string]int64
}

func newMemWatermarks() *memWatermarks { return &memWatermarks{m: map[string]int64{}} }

func watermarkKey(meter string, p cosem.OBIS) string {
	return fmt.Sprintf("%s.%d-%d-%d-%d-%d-%d", bus.MeterToken(meter), p[0], p[1], p[2], p[3], p[4], p[5])
}

func (w *memWatermarks) Get(_ context.Context, meter string, p cosem.OBIS) (int64, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.m[watermarkKey(meter, p)]
	return t, ok, nil
}

func (w *memWatermarks) Set(_ context.Context, meter string, p cosem.OBIS, t int64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if k := watermarkKey(meter, p); t > w.m[k] {
		w.m[k] = t
	}
	return nil
}

// kvWatermarks keeps watermarks in a bus key-value bucket, so every
// head-end node reads on from where any other stopped.
type kvWatermarks struct{ kv *bus.KV }

func (w kvWatermarks) Get(ctx context.Context, meter string, p cosem.OBIS) (int64, bool, error) {
	e, err := w.kv.Get(ctx, watermarkKey(meter, p))
	if errors.Is(err, bus.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if len(e.Value) != 8 {
		return 0, false, fmt.Errorf("hes: watermark of %s %s: %d bytes", meter, p, len(e.Value))
	}
	return int64(binary.BigEndian.Uint64(e.Value)), true, nil
}

// Set moves the watermark forward only (compare-and-set).
func (w kvWatermarks) Set(ctx context.Context, meter string, p cosem.OBIS, t int64) error {
	key := watermarkKey(meter, p)
	val := binary.BigEndian.AppendUint64(nil, uint64(t))
	for {
		e, err := w.kv.Get(ctx, key)
		switch {
		case errors.Is(err, bus.ErrNotFound):
			_, err = w.kv.Create(ctx, key, val)
		case err != nil:
			return err
		case len(e.Value) == 8 && int64(binary.BigEndian.Uint64(e.Value)) >= t:
			return nil
		default:
			_, err = w.kv.Update(ctx, key, val, e.Revision)
		}
		if !errors.Is(err, bus.ErrConflict) {
			return err
		}
	}
}
