package vee

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// Store is what VEE reads and writes in the readings store.
type Store interface {
	Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error)
	Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error)
}

// Runner validates and estimates stored readings and writes back the
// flags and estimates. It is safe for concurrent use.
type Runner struct {
	cfg Config
	st  Store
	log *slog.Logger
}

// NewRunner returns a Runner over st; log may be nil.
func NewRunner(st Store, cfg Config, log *slog.Logger) (*Runner, error) {
	cfg = cfg.Defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg, st: st, log: log}, nil
}

// Job names what Run checks.
type Job struct {
	Meter   store.MeterID
	Channel store.Channel // the energy register
	Range   store.Range   // the readings checked: times in [From, To]
	// IntervalChannel, when set, is compared with the register
	// (SumMismatch).
	IntervalChannel *store.Channel
}

// Run validates job's readings, fills its gaps with estimates and appends
// the flags and estimates in one batch. Events come from the meter's
// standard and fraud logs in the store (mdm/ingest puts them there). Run
// is idempotent: a second run over the same data writes nothing new.
func (r *Runner) Run(ctx context.Context, job Job) (Report, error) {
	history := int64(r.cfg.ProfileWeeks) * 7 * 24 * time.Hour.Milliseconds()
	in := Input{Range: job.Range}
	var err error
	q := store.ScanQuery{Meter: job.Meter, Channel: job.Channel, Range: store.Range{From: max(job.Range.From-history, store.MinTime), To: job.Range.To + 1}}
	if in.Registers, err = r.st.Scan(ctx, q, nil); err != nil {
		return Report{}, fmt.Errorf("vee meter %d %s: %w", job.Meter, job.Channel, err)
	}
	for _, log := range []store.Channel{meterdata.StandardLog, meterdata.FraudLog} {
		evs, err := r.st.Scan(ctx, store.ScanQuery{Meter: job.Meter, Channel: log, Range: store.Range{From: job.Range.From - r.cfg.step(), To: job.Range.To + 1}}, nil)
		if err != nil {
			return Report{}, fmt.Errorf("vee meter %d events: %w", job.Meter, err)
		}
		for _, e := range evs {
			in.Events = append(in.Events, meterdata.EventOf(e))
		}
	}
	if job.IntervalChannel != nil {
		q := store.ScanQuery{Meter: job.Meter, Channel: *job.IntervalChannel, Range: store.Range{From: job.Range.From, To: job.Range.To + 1}}
		if in.Intervals, err = r.st.Scan(ctx, q, []store.Reading{}); err != nil {
			return Report{}, fmt.Errorf("vee meter %d %s: %w", job.Meter, *job.IntervalChannel, err)
		}
	}
	rep, err := Validate(r.cfg, in)
	if err != nil {
		return Report{}, err
	}
	Estimate(r.cfg, in, &rep)
	batch := append(append([]store.Reading(nil), rep.Marks...), rep.Estimates...)
	if len(batch) > 0 {
		res, err := r.st.Append(ctx, batch)
		if err != nil {
			return rep, fmt.Errorf("vee meter %d %s: storing %d flags and %d estimates: %w", job.Meter, job.Channel, len(rep.Marks), len(rep.Estimates), err)
		}
		if res.Conflicted > 0 {
			// Marks carry stored values, estimates never conflict: a
			// conflict means the readings changed under us.
			return rep, fmt.Errorf("vee meter %d %s: %d readings changed while validating: %w", job.Meter, job.Channel, res.Conflicted, errConcurrent)
		}
	}
	r.log.Debug("vee", "meter", job.Meter, "obis", job.Channel.String(), "findings", len(rep.Findings), "estimates", len(rep.Estimates))
	return rep, nil
}

var errConcurrent = errors.New("vee: concurrent change")
