package ami

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/hes/clock"
	"github.com/amigo-ami/amigo/mdm/analytics"
	"github.com/amigo-ami/amigo/mdm/billing"
	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// mdmRunner is the MDM's recurring work on the system's clock: every day
// after midnight it bills the cycles that ended and checks yesterday's
// load curves; every DraftEvery it recomputes the draft bill of the
// running cycle so far.
type mdmRunner struct {
	store      store.Store
	meta       *meta.DB
	biller     *billing.Biller
	curves     *analytics.LoadCurve // nil: not checked
	clock      clock.Clock
	loc        *time.Location
	draftEvery time.Duration // 0: no drafts
	log        *slog.Logger
}

// afterMidnight is when the daily work starts: late enough for the last
// intervals of the day to have been read.
const afterMidnight = 30 * time.Minute

func (r *mdmRunner) run(ctx context.Context) error {
	next := r.nextDaily(r.clock.Now())
	nextDraft := r.clock.Now() // a first draft at once, so a new system has bills to show
	for {
		now := r.clock.Now()
		if r.draftEvery > 0 && !now.Before(nextDraft) {
			r.drafts(ctx, now)
			nextDraft = now.Add(r.draftEvery)
		}
		if !now.Before(next) {
			r.daily(ctx, now)
			next = r.nextDaily(now)
		}
		wake := next
		if r.draftEvery > 0 && nextDraft.Before(wake) {
			wake = nextDraft
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.clock.After(wake.Sub(now)):
		}
	}
}

func (r *mdmRunner) nextDaily(now time.Time) time.Time {
	local := now.In(r.loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, r.loc)
	if t := midnight.Add(afterMidnight); t.After(now) {
		return t
	}
	return midnight.AddDate(0, 0, 1).Add(afterMidnight)
}

// billed lists the meters with a tariff.
func (r *mdmRunner) billed(ctx context.Context) []meta.Meter {
	ms, err := r.meta.Meters(ctx, meta.MeterFilter{})
	if err != nil {
		r.log.Warn("ami: listing meters to bill", "err", err)
		return nil
	}
	return slices.DeleteFunc(ms, func(m meta.Meter) bool { return m.TariffID == 0 })
}

// daily bills the cycles that ended yesterday and checks yesterday's load
// curves.
func (r *mdmRunner) daily(ctx context.Context, now time.Time) {
	yesterday := now.Add(-24 * time.Hour)
	for _, m := range r.billed(ctx) {
		t, err := r.tariffOf(ctx, m.TariffID)
		if err != nil {
			continue
		}
		// The cycle that holds yesterday's end: closed once today is in
		// the next one.
		from, to := t.Cycle(now.Add(-afterMidnight - time.Millisecond))
		if now.Before(to) || to.Before(yesterday) {
			continue
		}
		if _, err := r.biller.Run(ctx, m.ID, from); err != nil && ctx.Err() == nil {
			r.log.Info("ami: closed cycle not billed", "meter", m.Serial, "from", from, "err", err)
		}
	}
	if r.curves == nil {
		return
	}
	ms, err := r.meta.Meters(ctx, meta.MeterFilter{})
	if err != nil {
		return
	}
	ids := make([]store.MeterID, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	if _, err := r.curves.Run(ctx, ids, yesterday); err != nil && ctx.Err() == nil {
		r.log.Warn("ami: load curves", "err", err)
	}
}

func (r *mdmRunner) tariffOf(ctx context.Context, id int64) (*tariff.Tariff, error) {
	mt, err := r.meta.Tariff(ctx, id)
	if err != nil {
		return nil, err
	}
	return tariff.Parse(mt.Definition)
}

// drafts recomputes each meter's bill of the running cycle up to its
// latest reading, from the cycle's start or, for a meter read only since,
// its first reading: a draft that supersedes the previous one when it
// changed.
func (r *mdmRunner) drafts(ctx context.Context, now time.Time) {
	var regs []store.Reading
	for _, m := range r.billed(ctx) {
		mt, err := r.meta.Tariff(ctx, m.TariffID)
		if err != nil {
			continue
		}
		t, err := tariff.Parse(mt.Definition)
		if err != nil {
			continue
		}
		from, _ := t.Cycle(now)
		regs, err = r.store.Scan(ctx, store.ScanQuery{Meter: m.ID, Channel: store.ActiveImport, Range: store.Range{From: from.UnixMilli(), To: now.UnixMilli() + 1}}, regs[:0])
		regs = slices.DeleteFunc(regs, func(x store.Reading) bool { return x.Quality&store.Missing != 0 })
		if err != nil || len(regs) < 2 {
			continue
		}
		first, last := time.UnixMilli(regs[0].Time).UTC(), time.UnixMilli(regs[len(regs)-1].Time).UTC()
		bill, err := r.biller.Compute(ctx, t, m.ID, first, last)
		if err != nil {
			r.log.Debug("ami: draft bill", "meter", m.Serial, "err", err)
			continue
		}
		bill.Currency = mt.Currency
		if err := r.storeDraft(ctx, bill.Meta(meta.BillDraft)); err != nil && ctx.Err() == nil {
			r.log.Warn("ami: draft bill not stored", "meter", m.Serial, "err", err)
		}
	}
}

// storeDraft keeps b as the meter's one live draft starting at b.From.
func (r *mdmRunner) storeDraft(ctx context.Context, b meta.Bill) error {
	existing, err := r.meta.Bills(ctx, b.Meter, b.From, b.From.Add(time.Millisecond))
	if err != nil {
		return err
	}
	for _, e := range existing {
		if !e.From.Equal(b.From) || e.Status != meta.BillDraft {
			continue
		}
		if e.To.Equal(b.To) || (e.Total == b.Total && slices.Equal(e.Lines, b.Lines)) {
			return nil
		}
		b.Supersedes = e.ID
	}
	_, err = r.meta.CreateBill(ctx, b)
	if errors.Is(err, meta.ErrNotFound) { // superseded meanwhile by another MDM
		return nil
	}
	return err
}
