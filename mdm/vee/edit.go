package vee

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Auditor records who changed what: store/meta's audit log.
type Auditor interface {
	Audit(ctx context.Context, e meta.AuditEntry) (int64, error)
}

// ErrNoReason: an edit must say why.
var ErrNoReason = errors.New("vee: an edit needs an actor and a reason")

// editDetail is the audit entry's detail of an edit.
type editDetail struct {
	Meter      store.MeterID `json:"meter"`
	Channel    string        `json:"obis"`
	Time       int64         `json:"time_ms"`
	Old        *int64        `json:"old_value"` // null: there was no reading
	OldQuality string        `json:"old_quality,omitempty"`
	New        int64         `json:"new_value"`
	Reason     string        `json:"reason"`
}

// Edit sets a reading's value by hand: it writes the audit entry (action
// "reading.edit", the old and new value and the reason) and then stores
// the reading flagged Edited and Valid, which replaces whatever is stored
// (store.Merge). If storing fails after the audit entry was written, a
// second entry "reading.edit-failed" says so, so the log never claims an
// edit that did not happen.
func Edit(ctx context.Context, st Store, au Auditor, actor string, r store.Reading, reason string) error {
	if actor == "" || reason == "" {
		return ErrNoReason
	}
	r.Quality = r.Quality&^(store.Estimated|store.Missing|store.Suspect) | store.Edited | store.Valid
	if err := r.Validate(); err != nil {
		return err
	}
	old, err := st.Scan(ctx, store.ScanQuery{Meter: r.Meter, Channel: r.Channel, Range: store.Range{From: r.Time, To: r.Time + 1}}, nil)
	if err != nil {
		return fmt.Errorf("edit %s: %w", r, err)
	}
	d := editDetail{Meter: r.Meter, Channel: r.Channel.String(), Time: r.Time, New: r.Value, Reason: reason}
	if len(old) == 1 {
		d.Old, d.OldQuality = &old[0].Value, old[0].Quality.String()
	}
	detail, _ := json.Marshal(d)
	target := fmt.Sprintf("meter %d %s", r.Meter, r.Channel)
	if _, err := au.Audit(ctx, meta.AuditEntry{Actor: actor, Action: "reading.edit", Target: target, Detail: detail}); err != nil {
		return fmt.Errorf("edit %s: audit: %w", r, err)
	}
	if _, err := st.Append(ctx, []store.Reading{r}); err != nil {
		_, aerr := au.Audit(ctx, meta.AuditEntry{Actor: actor, Action: "reading.edit-failed", Target: target, Detail: detail})
		return errors.Join(fmt.Errorf("edit %s: %w", r, err), aerr)
	}
	return nil
}
