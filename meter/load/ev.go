package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/metrology"
)

// EV charges an electric vehicle every day: W watts at power factor 0.99
// from Start (time of day, UTC, like PV's solar time) for Duration, so a
// day's charge is W × Duration exactly.
type EV struct {
	W        float64
	Start    time.Duration // after midnight UTC
	Duration time.Duration // up to a day
}

// DefaultEV is a 7.4 kW (32 A single-phase) wallbox charging four hours
// from 22:00.
var DefaultEV = EV{W: 7400, Start: 22 * time.Hour, Duration: 4 * time.Hour}

func (e EV) Power(t time.Time) metrology.Power {
	sinceMidnight := t.UTC().Sub(t.UTC().Truncate(24 * time.Hour))
	// Charging past midnight continues from the day before.
	in := (sinceMidnight-e.Start+24*time.Hour)%(24*time.Hour) < e.Duration
	if !in {
		return phase(0, 1)
	}
	return phase(e.W, 0.99)
}

// parseEV reads "W[,HH:MM[,HOURS]]".
func parseEV(spec, arg string) (EV, error) {
	bad := func(why string) (EV, error) {
		return EV{}, fmt.Errorf("%w: %q: %s (want ev[:W[,HH:MM[,HOURS]]])", ErrSpec, spec, why)
	}
	e := DefaultEV
	if arg == "" {
		return e, nil
	}
	parts := strings.Split(arg, ",")
	if len(parts) > 3 {
		return bad("too many fields")
	}
	w, err := strconv.ParseFloat(parts[0], 64)
	if err != nil || w <= 0 || w > 350e3 {
		return bad("power must be above 0 and at most 350 kW")
	}
	e.W = w
	if len(parts) > 1 {
		at, err := time.Parse("15:04", parts[1])
		if err != nil {
			return bad("start " + parts[1])
		}
		e.Start = time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
	}
	if len(parts) > 2 {
		h, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || h <= 0 || h > 24 || math.IsNaN(h) {
			return bad("hours must be above 0 and at most 24")
		}
		e.Duration = time.Duration(h * float64(time.Hour))
	}
	return e, nil
}
