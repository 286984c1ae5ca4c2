package hes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes/schedule"
)

// Schedule is a recurring job: at every firing of Spec, Kind runs on the
// meters of Group (AllMeters for all), spread over Jitter.
type Schedule struct {
	Name     string          `toml:"name"`   // unique; names the firing lock and the job's actor
	Spec     string          `toml:"spec"`   // cron or @every (package schedule)
	Location *time.Location  `toml:"-"`      // of the cron fields; UTC when nil
	Group    string          `toml:"group"`  // AllMeters when empty
	Kind     Kind            `toml:"kind"`   // e.g. ReadProfile
	Params   json.RawMessage `toml:"-"`      // the kind's parameters
	Jitter   time.Duration   `toml:"jitter"` // spread of the meters' start times
}

// DefaultSchedules are the usual ones (ARCHITECTURE §1): the 15-minute
// profile every 15 minutes spread over 10 minutes, the daily registers
// (billing) read at 00:05, and a clock sync at 03:00 spread over an hour.
func DefaultSchedules() []Schedule {
	return []Schedule{
		{Name: "profile-15min", Spec: "@every 15m", Kind: ReadProfile, Jitter: 10 * time.Minute},
		{Name: "billing-daily", Spec: "5 0 * * *", Kind: ReadRegisters, Jitter: 30 * time.Minute},
		{Name: "events-hourly", Spec: "@every 1h", Kind: ReadEvents, Jitter: 30 * time.Minute},
		{Name: "clock-sync", Spec: "0 3 * * *", Kind: ClockSync, Jitter: time.Hour},
	}
}

func (s Schedule) validate() error {
	if _, err := schedule.Parse(s.Spec, s.Location); err != nil {
		return fmt.Errorf("hes: schedule %q: %w", s.Name, err)
	}
	if spec, ok := kinds[s.Kind]; !ok || spec.group != nil && s.Group == AllMeters {
		return fmt.Errorf("hes: schedule %q: kind %q", s.Name, s.Kind)
	}
	if s.Name == "" || s.Jitter < 0 {
		return fmt.Errorf("hes: schedule %q: needs a name and a jitter ≥ 0", s.Name)
	}
	return nil
}

// runSchedule submits s's job at each firing. With a bus, the firing is
// claimed in a key-value bucket first, so that of several head-end nodes
// running the same schedules one submits it.
func (h *HeadEnd) runSchedule(ctx context.Context, s Schedule) error {
	spec, _ := schedule.Parse(s.Spec, s.Location)
	group := s.Group
	if group == "" {
		group = AllMeters
	}
	for {
		now := h.cfg.Clock.Now()
		next := spec.Next(now)
		if next.IsZero() {
			return nil // never fires again
		}
		select {
		case <-h.cfg.Clock.After(next.Sub(now)):
		case <-ctx.Done():
			return nil
		}
		if !h.claimFiring(ctx, s.Name, next) {
			continue
		}
		if len(h.groupMeters(group)) == 0 {
			continue
		}
		if _, err := h.Submit(ctx, Request{Kind: s.Kind, Group: group, Params: s.Params, Actor: "schedule:" + s.Name,
			Jitter: s.Jitter}); err != nil && ctx.Err() == nil {
			h.log.Error("hes: scheduled job not submitted", "schedule", s.Name, "err", err)
		}
	}
}

// claimFiring reports whether this node submits firing at of schedule
// name (always without a bus).
func (h *HeadEnd) claimFiring(ctx context.Context, name string, at time.Time) bool {
	if h.locks == nil {
		return true
	}
	key := bus.MeterToken(name) + "." + fmt.Sprint(at.Unix())
	_, err := h.locks.Create(ctx, key, []byte(h.cfg.Node))
	if errors.Is(err, bus.ErrConflict) {
		return false
	}
	if err != nil {
		h.log.Warn("hes: schedule lock", "schedule", name, "err", err)
		return false
	}
	return true
}
