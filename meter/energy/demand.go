package energy

import (
	"fmt"
	"time"
)

// Demand is a demand register (IC 5) with a sliding window: the window is
// Periods consecutive subperiods of Period; at the end of each subperiod
// the average power over the last Periods subperiods becomes
// last_average_value, and the maximum of those averages is kept in total
// and per tariff (maximum demand, IC 4 1.0.1.6.x). Energy is counted in
// micro-units (µWh), powers are in whole watts (rounded down).
type Demand struct {
	Period  time.Duration
	Periods int

	// Window holds the energy of the last Periods-1 completed subperiods,
	// oldest first, then the running one at the end.
	Window []uint64
	// Start is the start of the running subperiod (capture of
	// start_time_current); zero before the first Roll.
	Start time.Time
	// Last is last_average_value in watts and LastAt the end of the
	// window it covers (capture_time).
	Last   uint64
	LastAt time.Time
	// Max is the maximum demand since the last reset: index 0 for the
	// total, 1…MaxTariffs per tariff (by the tariff in force when the
	// subperiod ended).
	Max [MaxTariffs + 1]Peak
}

// Peak is a maximum demand and when it was reached.
type Peak struct {
	W  uint64
	At time.Time
}

// NewDemand returns a demand register with an empty window starting at
// start. Period must be whole seconds from 1 s to 24 h, periods 1…60.
func NewDemand(period time.Duration, periods int, start time.Time) (*Demand, error) {
	if period < time.Second || period > 24*time.Hour || period%time.Second != 0 {
		return nil, fmt.Errorf("energy: demand period %v: want whole seconds, 1 s … 24 h", period)
	}
	if periods < 1 || periods > 60 {
		return nil, fmt.Errorf("energy: demand number_of_periods %d: want 1…60", periods)
	}
	return &Demand{Period: period, Periods: periods, Window: make([]uint64, 1, periods), Start: start}, nil
}

// Add counts micro-units of energy into the running subperiod.
func (d *Demand) Add(micro uint64) { d.Window[len(d.Window)-1] += micro }

// Current returns current_average_value in watts: the energy of the
// window so far (completed subperiods and the running one) over the whole
// window length.
func (d *Demand) Current() uint64 { return d.watts(d.sum()) }

// Roll ends the running subperiod at end with tariff in force (1…), as the
// meter does at each multiple of Period: it updates last_average_value and
// the maxima and starts the next subperiod.
func (d *Demand) Roll(end time.Time, tariff int) {
	w := d.watts(d.sum())
	d.Last, d.LastAt = w, end
	for _, i := range []int{0, tariff} {
		if i >= 0 && i < len(d.Max) && (d.Max[i].At.IsZero() || w > d.Max[i].W) {
			d.Max[i] = Peak{W: w, At: end}
		}
	}
	if len(d.Window) == d.Periods {
		copy(d.Window, d.Window[1:])
		d.Window[len(d.Window)-1] = 0
	} else {
		d.Window = append(d.Window, 0)
	}
	d.Start = end
}

// ResetMax clears the maxima (end of a billing period, after they were
// frozen into the billing profile).
func (d *Demand) ResetMax() { d.Max = [MaxTariffs + 1]Peak{} }

func (d *Demand) sum() uint64 {
	var s uint64
	for _, v := range d.Window {
		s += v
	}
	return s
}

// watts converts micro-units over the whole window to whole watts.
func (d *Demand) watts(micro uint64) uint64 {
	secs := uint64(d.Period/time.Second) * uint64(d.Periods)
	return micro * 3600 / (1_000_000 * secs)
}
