package analytics

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Alarms is where load-curve alarms go (store/meta).
type Alarms interface {
	RaiseAlarm(ctx context.Context, a meta.Alarm) (int64, error)
	Alarms(ctx context.Context, f meta.AlarmFilter) ([]meta.Alarm, error)
}

// LoadCurveConfig sets how load curves are watched.
type LoadCurveConfig struct {
	Channel  store.Channel  // the energy register; store.ActiveImport if zero
	Interval time.Duration  // the profile's interval; 15 min if zero
	Location *time.Location // days and times of day; UTC if nil
	// Weeks is how many previous same weekdays make the baseline; 4 if zero.
	Weeks int
	// MinMonthlyWh: meters that used less in the previous month are not
	// watched; 200 kWh if zero.
	MinMonthlyWh int64
	// An interval deviates when it differs from the baseline by more than
	// DeviationPercent of it and by more than MinDeviationWh (50 % and
	// 100 Wh if zero).
	DeviationPercent int64
	MinDeviationWh   int64
	// Consecutive deviating intervals raise the alarm; 4 if zero.
	Consecutive int
	Alarms      Alarms       // nil: Check only reports
	Logger      *slog.Logger // nil discards
}

// LoadCurve watches meters' daily load curves against a baseline: per time
// of day, the median of the same weekday's interval energies over the
// previous Weeks weeks. A run of Consecutive intervals that deviate
// raises a "load-deviation" alarm for the day (once: the alarm's time is
// the day's start, and a day already alarmed is not alarmed again).
type LoadCurve struct {
	cfg LoadCurveConfig
	st  Readings
	log *slog.Logger
}

// NewLoadCurve returns a LoadCurve reading st.
func NewLoadCurve(st Readings, cfg LoadCurveConfig) *LoadCurve {
	if cfg.Channel == (store.Channel{}) {
		cfg.Channel = store.ActiveImport
	}
	if cfg.Interval == 0 {
		cfg.Interval = 15 * time.Minute
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Weeks == 0 {
		cfg.Weeks = 4
	}
	if cfg.MinMonthlyWh == 0 {
		cfg.MinMonthlyWh = 200_000
	}
	if cfg.DeviationPercent == 0 {
		cfg.DeviationPercent = 50
	}
	if cfg.MinDeviationWh == 0 {
		cfg.MinDeviationWh = 100
	}
	if cfg.Consecutive == 0 {
		cfg.Consecutive = 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &LoadCurve{cfg: cfg, st: st, log: cfg.Logger}
}

// Deviation is how a meter's day compared with its baseline.
type Deviation struct {
	Meter      store.MeterID
	Day        time.Time // local midnight
	ActualWh   int64     // the day's energy over intervals with data and baseline
	BaselineWh int64
	Deviating  int       // intervals that deviate
	Run        int       // the longest run of consecutive deviating intervals
	RunStart   time.Time // where it starts
	Alarm      bool      // Run ≥ Consecutive
}

// Check compares meter's load curve on the local day holding day with its
// baseline.
func (l *LoadCurve) Check(ctx context.Context, meter store.MeterID, day time.Time) (Deviation, error) {
	y, m, d := day.In(l.cfg.Location).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, l.cfg.Location)
	dev := Deviation{Meter: meter, Day: start}
	step := l.cfg.Interval.Milliseconds()
	// Each day of the baseline is read separately, as DST can make the
	// same weekday 23, 24 or 25 hours long; intervals are matched by their
	// index from midnight.
	curve := func(daysBack int) ([]int64, []int64, error) {
		ds := time.Date(y, m, d-daysBack, 0, 0, 0, 0, l.cfg.Location).UnixMilli()
		de := time.Date(y, m, d-daysBack+1, 0, 0, 0, 0, l.cfg.Location).UnixMilli()
		regs, err := l.st.Scan(ctx, store.ScanQuery{Meter: meter, Channel: l.cfg.Channel, Range: store.Range{From: ds, To: de + 1}}, nil)
		if err != nil {
			return nil, nil, err
		}
		e, _ := slotEnergies(regs, ds, de, step, nil, nil)
		starts := make([]int64, len(e))
		for i := range starts {
			starts[i] = ds + int64(i)*step
		}
		return e, starts, nil
	}
	actual, starts, err := curve(0)
	if err != nil {
		return dev, fmt.Errorf("load curve meter %d: %w", meter, err)
	}
	history := make([][]int64, 0, l.cfg.Weeks)
	for w := 1; w <= l.cfg.Weeks; w++ {
		e, _, err := curve(7 * w)
		if err != nil {
			return dev, fmt.Errorf("load curve meter %d: %w", meter, err)
		}
		history = append(history, e)
	}
	run := 0
	var sample []int64
	for i, a := range actual {
		sample = sample[:0]
		for _, h := range history {
			if i < len(h) && h[i] != Unknown {
				sample = append(sample, h[i])
			}
		}
		if a == Unknown || len(sample) == 0 {
			run = 0
			continue
		}
		base := median(sample)
		dev.ActualWh += a
		dev.BaselineWh += base
		diff := a - base
		if diff < 0 {
			diff = -diff
		}
		if diff*100 > l.cfg.DeviationPercent*base && diff > l.cfg.MinDeviationWh {
			dev.Deviating++
			run++
			if run > dev.Run {
				dev.Run, dev.RunStart = run, time.UnixMilli(starts[i-run+1]).In(l.cfg.Location)
			}
		} else {
			run = 0
		}
	}
	dev.Alarm = dev.Run >= l.cfg.Consecutive
	return dev, nil
}

// median of a non-empty sample (the lower middle for an even count); it
// sorts the sample.
func median(s []int64) int64 {
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// Run checks, for the day holding day, every meter that used at least
// MinMonthlyWh in the previous month and raises an alarm for each
// deviation that warrants one (unless the day is already alarmed). It
// returns the deviations found.
func (l *LoadCurve) Run(ctx context.Context, meters []store.MeterID, day time.Time) ([]Deviation, error) {
	y, m, _ := day.In(l.cfg.Location).Date()
	prev := time.Date(y, m-1, 1, 0, 0, 0, 0, l.cfg.Location)
	monthly, err := MonthlyConsumption(ctx, l.st, meters, l.cfg.Channel, prev, prev, l.cfg.Location)
	if err != nil {
		return nil, err
	}
	var out []Deviation
	for _, meter := range meters {
		if mm := monthly[meter]; len(mm) == 0 || mm[0] < l.cfg.MinMonthlyWh {
			continue
		}
		dev, err := l.Check(ctx, meter, day)
		if err != nil {
			return out, err
		}
		if dev.Deviating == 0 {
			continue
		}
		out = append(out, dev)
		if dev.Alarm && l.cfg.Alarms != nil {
			if err := l.alarm(ctx, dev); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

const loadDeviation = "load-deviation"

func (l *LoadCurve) alarm(ctx context.Context, dev Deviation) error {
	open, err := l.cfg.Alarms.Alarms(ctx, meta.AlarmFilter{Meter: dev.Meter})
	if err != nil {
		return err
	}
	for _, a := range open {
		if a.Kind == loadDeviation && a.RaisedAt.Equal(dev.Day) {
			return nil
		}
	}
	msg := fmt.Sprintf("load curve of %s deviates from its baseline for %d intervals from %s (%d Wh against %d Wh)",
		dev.Day.Format(time.DateOnly), dev.Run, dev.RunStart.Format("15:04"), dev.ActualWh, dev.BaselineWh)
	_, err = l.cfg.Alarms.RaiseAlarm(ctx, meta.Alarm{Meter: dev.Meter, Kind: loadDeviation, Severity: "warning", Message: msg, RaisedAt: dev.Day})
	if err == nil {
		l.log.Info("load deviation", "meter", dev.Meter, "day", dev.Day.Format(time.DateOnly), "run", dev.Run)
	}
	return err
}
