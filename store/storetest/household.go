package storetest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// AMPdsFile is the AMPds R1 hourly file under the shared data directory.
const AMPdsFile = "ampds-r1/AMPdsR1_1hr_Wh.csv"

// Hour is one hour of a household: active energy and the reactive energy
// of its inductive (Q1) and capacitive (Q4) loads, in Wh and varh.
type Hour struct {
	Active, Q1, Q4 int64
}

// Household is the AMPds R1 house, hour by hour.
type Household struct {
	Start int64 // Unix ms of the end of the first hour
	Hours []Hour
}

// Power factors assumed for the AMPds sub-meters (the data set has active
// energy only): motors and compressors lag, electronics lead, heaters are
// resistive. The unmetered rest of the house is taken at PF 0.97 lagging.
var (
	laggingPF = map[string]float64{
		"HPE": 0.90, "FRE": 0.85, "FGE": 0.80, "CWE": 0.75, "DWE": 0.90,
		"GRE": 0.95, "OUE": 0.95, "UTE": 0.95, "BME": 0.95, "B1E": 0.95, "B2E": 0.95, "DNE": 0.95,
	}
	resistive = map[string]bool{"CDE": true, "WOE": true, "HTE": true}
	leadingPF = map[string]float64{"EBE": 0.95, "TVE": 0.95, "OFE": 0.95, "EQE": 0.95}
)

const restPF = 0.97

func tanPhi(pf float64) float64 { return math.Sqrt(1-pf*pf) / pf }

// LoadAMPds reads the AMPds R1 hourly CSV: WHE is the active energy; Q1
// sums each lagging sub-meter's energy times tan φ of its power factor plus
// the unmetered rest at PF 0.97; Q4 does the same for the leading ones.
func LoadAMPds(path string) (*Household, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", path, err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"TimeStamp", "WHE"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: no column %s", path, need)
		}
	}
	h := &Household{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		num := func(name string) (float64, error) {
			v, err := strconv.ParseFloat(rec[col[name]], 64)
			if err != nil {
				return 0, fmt.Errorf("%s:%d: column %s: %w", path, line, name, err)
			}
			return v, nil
		}
		ts, err := num("TimeStamp")
		if err != nil {
			return nil, err
		}
		whe, err := num("WHE")
		if err != nil {
			return nil, err
		}
		if len(h.Hours) == 0 {
			h.Start = int64(ts) * 1000
		}
		var q1, q4, metered float64
		for name, i := range col {
			pfLag, lag := laggingPF[name]
			pfLead, lead := leadingPF[name]
			if !lag && !lead && !resistive[name] || i >= len(rec) {
				continue
			}
			e, err := num(name)
			if err != nil {
				return nil, err
			}
			metered += e
			switch {
			case lag:
				q1 += e * tanPhi(pfLag)
			case lead:
				q4 += e * tanPhi(pfLead)
			}
		}
		q1 += max(whe-metered, 0) * tanPhi(restPF)
		h.Hours = append(h.Hours, Hour{Active: int64(whe), Q1: int64(math.Round(q1)), Q4: int64(math.Round(q4))})
	}
	if len(h.Hours) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return h, nil
}

// FleetChannels are the four registers a Fleet meter records.
var FleetChannels = [4]store.Channel{store.ActiveImport, store.ActiveExport, store.ReactiveImport, store.ReactiveExport}

// Fleet turns one Household into many meters' interval register readings:
//
//   - meter m replays the house from its own seeded starting hour, scaled
//     by its own factor (log-uniform in [0.5, 2]);
//   - each hour's energy is split into intervals by seeded log-normal
//     weights (σ = 0.5), and the registers advance by the rounded
//     cumulative share, so at whole hours they have grown by exactly the
//     scaled hourly energy;
//   - A+ starts at a seeded reading below 10 MWh, R+ below 5 Mvarh, R−
//     below 1 Mvarh; A− stays at 0, as the AMPds house exports nothing.
//
// A Fleet is not safe for concurrent use.
type Fleet struct {
	house    *Household
	interval int64 // ms
	perHour  int
	t        int64 // time of the next interval's readings
	step     int   // intervals emitted since the start
	meters   []fleetMeter
	weights  []float64
}

type fleetMeter struct {
	id       store.MeterID
	rng      *rand.Rand
	hour     int // index into house.Hours
	scale    float64
	regs     [4]int64
	hourBase [4]int64 // registers at the start of the hour
	hourE    [3]int64 // scaled energies of the hour: A+, R+, R−
	cum      []float64
}

// NewFleet returns meters 1…n replaying h, with readings every interval
// (a divisor of an hour) from start (Unix ms).
func NewFleet(h *Household, n int, interval time.Duration, start int64, seed uint64) (*Fleet, error) {
	if interval <= 0 || time.Hour%interval != 0 {
		return nil, fmt.Errorf("fleet: interval %v does not divide an hour", interval)
	}
	f := &Fleet{house: h, interval: interval.Milliseconds(), perHour: int(time.Hour / interval), t: start}
	f.weights = make([]float64, f.perHour)
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		m := fleetMeter{
			id:    store.MeterID(i + 1),
			rng:   rng,
			hour:  rng.IntN(len(h.Hours)),
			scale: math.Exp(math.Log(0.5) + rng.Float64()*math.Log(4)),
			regs:  [4]int64{rng.Int64N(10_000_000), 0, rng.Int64N(5_000_000), rng.Int64N(1_000_000)},
			cum:   make([]float64, f.perHour),
		}
		f.meters = append(f.meters, m)
	}
	return f, nil
}

// Meters returns the number of meters.
func (f *Fleet) Meters() int { return len(f.meters) }

// Time returns the time of the next interval's readings.
func (f *Fleet) Time() int64 { return f.t }

// AppendInterval appends the four register readings of every meter at the
// end of the next interval, meter by meter, and advances the fleet.
func (f *Fleet) AppendInterval(dst []store.Reading) []store.Reading {
	j := f.step % f.perHour
	for i := range f.meters {
		m := &f.meters[i]
		if j == 0 {
			f.startHour(m)
		}
		share := m.cum[j]
		for c, e := range m.hourE {
			reg := c
			if c > 0 {
				reg = c + 1 // A+, then R+ and R−; A− never moves
			}
			m.regs[reg] = m.hourBase[reg] + int64(share*float64(e))
			if j == f.perHour-1 {
				m.regs[reg] = m.hourBase[reg] + e
			}
		}
		for c, ch := range FleetChannels {
			dst = append(dst, store.Reading{Meter: m.id, Channel: ch, Time: f.t, Value: m.regs[c]})
		}
		if j == f.perHour-1 {
			m.hour = (m.hour + 1) % len(f.house.Hours)
		}
	}
	f.step++
	f.t += f.interval
	return dst
}

// startHour draws the split of m's coming hour.
func (f *Fleet) startHour(m *fleetMeter) {
	h := f.house.Hours[m.hour]
	m.hourBase = m.regs
	m.hourE = [3]int64{
		int64(math.Round(float64(h.Active) * m.scale)),
		int64(math.Round(float64(h.Q1) * m.scale)),
		int64(math.Round(float64(h.Q4) * m.scale)),
	}
	var total float64
	for k := range f.weights {
		f.weights[k] = math.Exp(0.5 * m.rng.NormFloat64())
		total += f.weights[k]
	}
	var run float64
	for k, w := range f.weights {
		run += w
		m.cum[k] = run / total
	}
}
