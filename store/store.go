package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
)

// Sentinel errors every engine wraps, for errors.Is.
var (
	// ErrInvalid: a reading or query is outside the contract (meter 0,
	// time out of range, unknown quality bits, empty range).
	ErrInvalid = errors.New("store: invalid")
	// ErrCorrupt: stored bytes do not decode.
	ErrCorrupt = errors.New("store: corrupt")
	// ErrClosed: the store was closed, or failed and must be reopened.
	ErrClosed = errors.New("store: closed")
)

// Store keeps readings. Implementations are safe for concurrent use.
//
// Append is durable when it returns nil: a crash of the process or the
// machine afterwards loses nothing of the batch. A reader may already see a
// batch whose Append has not yet returned.
type Store interface {
	// Append stores a batch, merging each reading with what is stored under
	// its key (see Merge). It validates the whole batch first and stores
	// nothing if any reading is invalid.
	Append(ctx context.Context, batch []Reading) (AppendResult, error)
	// Scan appends to dst the readings of one meter and channel in a time
	// range, in time order, Missing placeholders included.
	Scan(ctx context.Context, q ScanQuery, dst []Reading) ([]Reading, error)
	// ScanSamples appends to dst what Scan would return for q, without the
	// meter and channel the query already names. Given a dst with room it
	// allocates nothing per call in store/pebble, so a caller reading many
	// series (a billing run over the fleet) keeps one buffer.
	ScanSamples(ctx context.Context, q ScanQuery, dst []Sample) ([]Sample, error)
	// Aggregate returns the non-empty buckets of q, ordered by meter (when
	// PerMeter) and start.
	Aggregate(ctx context.Context, q AggregateQuery) ([]Bucket, error)
	// Conflicts returns the conflicting readings kept for review, ordered
	// by CompareConflicts.
	Conflicts(ctx context.Context, q ConflictQuery) ([]Conflict, error)
	// ResolveConflict removes c from the conflicts list (after an operator
	// decided, typically by appending an Edited reading). Removing a
	// conflict that is not listed is not an error.
	ResolveConflict(ctx context.Context, c Conflict) error
	// Close makes the store durable and releases it.
	Close() error
}

// AppendResult counts what Append did with each reading of a batch.
type AppendResult struct {
	Added, Unchanged, Replaced, Conflicted int
}

// Count adds one outcome.
func (r *AppendResult) Count(o Outcome) {
	switch o {
	case Added:
		r.Added++
	case Unchanged:
		r.Unchanged++
	case Replaced:
		r.Replaced++
	case Conflicted:
		r.Conflicted++
	}
}

// ScanQuery selects the readings of one meter and channel in a time range.
type ScanQuery struct {
	Meter   MeterID
	Channel Channel
	Range   Range
}

// Validate reports why q cannot be answered, wrapping ErrInvalid.
func (q ScanQuery) Validate() error {
	if q.Range.From >= q.Range.To {
		return fmt.Errorf("scan meter %d %s: empty range [%d, %d): %w", q.Meter, q.Channel, q.Range.From, q.Range.To, ErrInvalid)
	}
	return nil
}

// Conflict is an incoming actual reading that disagreed with the stored one.
type Conflict struct {
	Stored   Reading // the reading kept, as it was when the conflict was first seen
	Incoming Reading // the reading not applied
}

// ConflictQuery selects conflicts by meter (0: all meters) and by the time
// of the reading (a zero Range: any time). Limit caps the number returned
// (0: no cap).
type ConflictQuery struct {
	Meter MeterID
	Range Range
	Limit int
}

// Matches reports whether q selects c.
func (q ConflictQuery) Matches(c Conflict) bool {
	r := c.Incoming
	return (q.Meter == 0 || r.Meter == q.Meter) && (q.Range == Range{} || q.Range.Contains(r.Time))
}

// CompareConflicts orders conflicts as Conflicts returns them: by meter,
// channel, time and incoming value.
func CompareConflicts(a, b Conflict) int {
	x, y := a.Incoming, b.Incoming
	if c := cmp.Compare(x.Meter, y.Meter); c != 0 {
		return c
	}
	if c := bytes.Compare(x.Channel[:], y.Channel[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Time, y.Time); c != 0 {
		return c
	}
	return cmp.Compare(x.Value, y.Value)
}
