package tariff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // tariffs name IANA zones; work where the system has no zone files

	"github.com/amigo-ami/amigo/store"
)

// ErrInvalid is wrapped by every error about a tariff definition.
var ErrInvalid = errors.New("tariff: invalid")

// Definition is a tariff as written in store/meta (meta.Tariff.Definition)
// and in files: JSON, prices as decimal strings. Parse checks and compiles
// it. An example, a Chinese residential ladder with peak and valley
// periods:
//
//	{"zone": "Asia/Shanghai", "minor_digits": 2, "cycle_day": 1,
//	 "periods": [{"name": "peak", "price": "0.5583"}, {"name": "valley", "price": "0.3583"}],
//	 "seasons": [{"from": "01-01", "days": {"weekday": [
//	     {"at": "00:00", "period": "valley"}, {"at": "08:00", "period": "peak"}, {"at": "22:00", "period": "valley"}]}}],
//	 "ladder": [{"up_to_kwh": 230}, {"up_to_kwh": 400, "adder": "0.05"}, {"adder": "0.30"}],
//	 "standing": {"per_day": "0.10"},
//	 "demand": {"per_kw": "30", "window_minutes": 15}}
type Definition struct {
	// Zone is the IANA time zone the calendar and the billing cycle follow.
	Zone string `json:"zone"`
	// MinorDigits is the number of decimals of the currency's minor unit:
	// bill lines are rounded to it. 2 if absent.
	MinorDigits *int `json:"minor_digits,omitempty"`
	// CycleDay is the day of the month (1–28) a billing cycle starts on,
	// at local midnight. 1 if zero.
	CycleDay int `json:"cycle_day,omitempty"`
	// Periods are the TOU periods and their energy price per kWh; the
	// first is the only one when there are no seasons.
	Periods []PeriodDef `json:"periods"`
	// Seasons say which period is in force when; see SeasonDef.
	Seasons []SeasonDef `json:"seasons,omitempty"`
	// Holidays ("2024-10-01") use the "holiday" day profile.
	Holidays []string `json:"holidays,omitempty"`
	// Ladder tiers the cycle's energy; empty means one open tier with no
	// adder.
	Ladder []TierDef `json:"ladder,omitempty"`
	// Standing charges.
	Standing Standing `json:"standing,omitzero"`
	// Demand charge on the cycle's maximum demand; none if nil.
	Demand *DemandDef `json:"demand,omitempty"`
	// Registers maps the meter's time-of-use energy registers (OBIS code,
	// "1.0.1.8.1.255") to the periods they count, for billing from
	// register readings at the cycle's ends instead of from interval data:
	// the meter applied its own calendar.
	Registers map[string]string `json:"registers,omitempty"`
}

// PeriodDef is one TOU period.
type PeriodDef struct {
	Name  string `json:"name"`
	Price Money  `json:"price"` // per kWh
}

// SeasonDef holds from its From date ("MM-DD", every year) until the next
// season's. Days maps a day type to its day profile: "weekday" (required),
// "saturday", "sunday" and "holiday"; a missing type takes the profile of
// the next in the chain holiday → sunday → saturday → weekday.
type SeasonDef struct {
	From string                 `json:"from"`
	Days map[string][]SwitchDef `json:"days"`
}

// SwitchDef starts Period at local wall time At ("HH:MM"); a day profile's
// first switch is at "00:00".
type SwitchDef struct {
	At     string `json:"at"`
	Period string `json:"period"`
}

// TierDef is one step of the ladder. It holds the cycle's energy up to
// UpToKWh (the last tier has none and no bound). Its energy costs the
// period's price plus Adder, or, for periods listed in Prices, that price
// instead (ladders whose tiers raise peak and valley prices unequally).
type TierDef struct {
	UpToKWh int64            `json:"up_to_kwh,omitempty"`
	Adder   Money            `json:"adder,omitzero"`
	Prices  map[string]Money `json:"prices,omitempty"`
}

// Standing charges: per local day of the cycle, and once per cycle.
type Standing struct {
	PerDay   Money `json:"per_day,omitzero"`
	PerCycle Money `json:"per_cycle,omitzero"`
}

// DemandDef charges the cycle's maximum demand: the largest mean power
// over a window of WindowMinutes (a divisor of an hour, 15 if zero,
// aligned to the local clock),
// counting only windows that start in Periods (all if empty).
type DemandDef struct {
	PerKW         Money    `json:"per_kw"`
	WindowMinutes int      `json:"window_minutes,omitempty"`
	Periods       []string `json:"periods,omitempty"`
}

// Parse decodes and compiles a JSON definition; unknown fields are errors.
func Parse(def []byte) (*Tariff, error) {
	var d Definition
	dec := json.NewDecoder(bytes.NewReader(def))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("tariff: %w: %w", ErrInvalid, err)
	}
	return Compile(d)
}

// day types, in fallback order.
const (
	weekday = iota
	saturday
	sunday
	holiday
	dayTypes
)

var dayTypeNames = [dayTypes]string{"weekday", "saturday", "sunday", "holiday"}

// Compile checks d and returns the tariff it defines.
func Compile(d Definition) (*Tariff, error) {
	t := &Tariff{def: d, digits: 2, cycleDay: d.CycleDay}
	fail := func(format string, args ...any) (*Tariff, error) {
		return nil, fmt.Errorf("tariff: "+format+": %w", append(args, ErrInvalid)...)
	}
	var err error
	if d.Zone == "" {
		return fail("no zone")
	}
	if t.loc, err = time.LoadLocation(d.Zone); err != nil {
		return fail("zone %q: %v", d.Zone, err)
	}
	if d.MinorDigits != nil {
		if *d.MinorDigits < 0 || *d.MinorDigits > 6 {
			return fail("minor_digits %d not in 0…6", *d.MinorDigits)
		}
		t.digits = *d.MinorDigits
	}
	if t.cycleDay == 0 {
		t.cycleDay = 1
	}
	if t.cycleDay < 1 || t.cycleDay > 28 {
		return fail("cycle_day %d not in 1…28", d.CycleDay)
	}
	if len(d.Periods) == 0 || len(d.Periods) > 255 {
		return fail("%d periods, want 1…255", len(d.Periods))
	}
	index := make(map[string]uint8, len(d.Periods))
	for i, p := range d.Periods {
		if _, dup := index[p.Name]; dup || p.Name == "" {
			return fail("period %d: empty or repeated name %q", i, p.Name)
		}
		index[p.Name] = uint8(i)
		t.periods = append(t.periods, p.Name)
	}
	if len(d.Seasons) == 0 && len(d.Periods) > 1 && len(d.Registers) == 0 {
		return fail("%d periods but neither seasons nor the meter's registers say when each is in force", len(d.Periods))
	}
	for i, s := range d.Seasons {
		cs, err := compileSeason(s, index)
		if err != nil {
			return fail("season %d (from %q): %v", i, s.From, err)
		}
		t.seasons = append(t.seasons, cs)
	}
	slices.SortFunc(t.seasons, func(a, b season) int { return a.from - b.from })
	for i := 1; i < len(t.seasons); i++ {
		if t.seasons[i].from == t.seasons[i-1].from {
			return fail("two seasons start on %02d-%02d", t.seasons[i].from/100, t.seasons[i].from%100)
		}
	}
	t.holidays = make(map[int]bool, len(d.Holidays))
	for _, h := range d.Holidays {
		day, err := time.Parse(time.DateOnly, h)
		if err != nil {
			return fail("holiday %q: want YYYY-MM-DD", h)
		}
		t.holidays[dateKey(day.Date())] = true
	}
	if t.tiers, err = compileLadder(d.Ladder, d.Periods, index); err != nil {
		return fail("ladder: %v", err)
	}
	for obis, name := range d.Registers {
		ch, err := store.ParseChannel(obis)
		if err != nil {
			return fail("registers: %v", err)
		}
		p, ok := index[name]
		if !ok {
			return fail("registers: %s counts no period %q", obis, name)
		}
		t.registers = append(t.registers, Register{Channel: ch, Period: Period(p)})
	}
	slices.SortFunc(t.registers, func(a, b Register) int { return bytes.Compare(a.Channel[:], b.Channel[:]) })
	if d.Standing.PerDay < 0 || d.Standing.PerCycle < 0 {
		return fail("negative standing charge")
	}
	if dd := d.Demand; dd != nil {
		minutes := dd.WindowMinutes
		if minutes == 0 {
			minutes = 15
		}
		if dd.PerKW < 0 || minutes < 0 || 60%minutes != 0 {
			return fail("demand: negative price, or a window of %d minutes that does not divide an hour", dd.WindowMinutes)
		}
		dm := &demand{perKW: dd.PerKW, window: int64(minutes) * 60_000, periods: make([]bool, len(d.Periods))}
		for _, p := range dd.Periods {
			i, ok := index[p]
			if !ok {
				return fail("demand: no period %q", p)
			}
			dm.periods[i] = true
		}
		if len(dd.Periods) == 0 {
			for i := range dm.periods {
				dm.periods[i] = true
			}
		}
		t.demand = dm
	}
	return t, nil
}

func compileSeason(s SeasonDef, index map[string]uint8) (season, error) {
	var cs season
	from, err := time.Parse("01-02", s.From)
	if err != nil {
		return cs, fmt.Errorf("from: want MM-DD")
	}
	cs.from = int(from.Month())*100 + from.Day()
	for name, profile := range s.Days {
		dt := slices.Index(dayTypeNames[:], name)
		if dt < 0 {
			return cs, fmt.Errorf("day type %q not one of %q", name, dayTypeNames)
		}
		for i, sw := range profile {
			at, err := time.Parse("15:04", sw.At)
			if err != nil {
				return cs, fmt.Errorf("%s switch %d: at %q: want HH:MM", name, i, sw.At)
			}
			p, ok := index[sw.Period]
			if !ok {
				return cs, fmt.Errorf("%s switch %d: no period %q", name, i, sw.Period)
			}
			ms := int64(at.Hour()*3600_000 + at.Minute()*60_000)
			if i == 0 && ms != 0 || i > 0 && ms <= cs.days[dt][i-1].at {
				return cs, fmt.Errorf("%s switch %d at %s: switches start at 00:00 and increase", name, i, sw.At)
			}
			cs.days[dt] = append(cs.days[dt], dayswitch{at: ms, period: p})
		}
		if len(profile) == 0 {
			return cs, fmt.Errorf("%s: empty day profile", name)
		}
	}
	if cs.days[weekday] == nil {
		return cs, fmt.Errorf("no weekday profile")
	}
	for dt := saturday; dt < dayTypes; dt++ {
		if cs.days[dt] == nil {
			cs.days[dt] = cs.days[fallback(dt)]
		}
	}
	return cs, nil
}

// fallback is the day type whose profile dt takes when it has none.
func fallback(dt int) int {
	if dt == saturday {
		return weekday
	}
	return dt - 1
}

func compileLadder(ladder []TierDef, periods []PeriodDef, index map[string]uint8) ([]tier, error) {
	if len(ladder) == 0 {
		ladder = []TierDef{{}}
	}
	var tiers []tier
	var prev int64
	for i, td := range ladder {
		last := i == len(ladder)-1
		switch {
		case td.UpToKWh < 0:
			return nil, fmt.Errorf("tier %d: negative bound", i+1)
		case last && td.UpToKWh != 0:
			return nil, fmt.Errorf("the last tier (%d) has a bound; it must be open", i+1)
		case !last && td.UpToKWh <= prev:
			return nil, fmt.Errorf("tier %d: bound %d kWh not above %d kWh", i+1, td.UpToKWh, prev)
		case td.UpToKWh > 1<<40:
			return nil, fmt.Errorf("tier %d: bound %d kWh too large", i+1, td.UpToKWh)
		}
		prev = td.UpToKWh
		tr := tier{upTo: td.UpToKWh * 1000, prices: make([]Money, len(periods))}
		for p, pd := range periods {
			tr.prices[p] = pd.Price + td.Adder
		}
		for name, price := range td.Prices {
			p, ok := index[name]
			if !ok {
				return nil, fmt.Errorf("tier %d: no period %q", i+1, name)
			}
			tr.prices[p] = price
		}
		for p, price := range tr.prices {
			if price < 0 {
				return nil, fmt.Errorf("tier %d: period %s costs %s < 0", i+1, periods[p].Name, price)
			}
		}
		tiers = append(tiers, tr)
	}
	return tiers, nil
}

func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }
