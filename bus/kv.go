package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Key-value errors, for errors.Is.
var (
	ErrNotFound = errors.New("bus: key not found")
	// ErrConflict: the key exists (Create) or has moved past the given
	// revision (Update, Delete). Read it again and retry.
	ErrConflict = errors.New("bus: revision conflict")
)

// KV is a key-value bucket with compare-and-set, for per-meter state that
// must stay unique across head-end nodes (invocation counters, association
// locks; ARCHITECTURE §10). Keys are made of A–Z a–z 0–9 and "-_=./";
// MeterToken makes any meter ID one ("<token>.ic"). Safe for concurrent use.
type KV struct {
	bucket string
	kv     jetstream.KeyValue
}

// Entry is a key's value and the revision to pass to Update.
type Entry struct {
	Value    []byte
	Revision uint64
}

// KeyValue creates bucket (replicated like the streams) or binds to it.
// A positive ttl removes keys not written for that long: right for locks,
// wrong for counters, so keep them in separate buckets. Bucket names are
// made of A–Z a–z 0–9 '-' '_'.
func (b *Bus) KeyValue(ctx context.Context, bucket string, ttl time.Duration) (*KV, error) {
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   bucket,
		History:  1,
		TTL:      ttl,
		Storage:  jetstream.FileStorage,
		Replicas: b.cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: key-value bucket %s: %w", bucket, err)
	}
	return &KV{bucket: bucket, kv: kv}, nil
}

// Get returns key's current value, or ErrNotFound.
func (k *KV) Get(ctx context.Context, key string) (Entry, error) {
	e, err := k.kv.Get(ctx, key)
	if err != nil {
		return Entry{}, k.wrap("get", key, err)
	}
	return Entry{Value: e.Value(), Revision: e.Revision()}, nil
}

// Create sets key only if it has no value (never set, or deleted) and
// returns the new revision; otherwise ErrConflict.
func (k *KV) Create(ctx context.Context, key string, value []byte) (uint64, error) {
	rev, err := k.kv.Create(ctx, key, value)
	if err != nil {
		return 0, k.wrap("create", key, err)
	}
	return rev, nil
}

// Update sets key only if its revision is still revision and returns the new
// one; otherwise ErrConflict.
func (k *KV) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	rev, err := k.kv.Update(ctx, key, value, revision)
	if err != nil {
		return 0, k.wrap("update", key, err)
	}
	return rev, nil
}

// Delete removes key only if its revision is still revision; otherwise
// ErrConflict.
func (k *KV) Delete(ctx context.Context, key string, revision uint64) error {
	if err := k.kv.Delete(ctx, key, jetstream.LastRevision(revision)); err != nil {
		return k.wrap("delete", key, err)
	}
	return nil
}

// wrap names the operation and maps the client's errors to ours.
func (k *KV) wrap(op, key string, err error) error {
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		err = fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch), isWrongLastSequence(err):
		err = fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return fmt.Errorf("bus: %s %s/%s: %w", op, k.bucket, key, err)
}

// isWrongLastSequence reports the server's compare-and-set refusal, which
// Delete returns unmapped. Replicated streams use a second code.
func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) &&
		(apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}
