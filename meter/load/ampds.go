package load

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/metrology"
)

// AMPdsFile is the hourly file of AMPds R1 under the shared data directory.
const AMPdsFile = "ampds-r1/AMPdsR1_1hr_Wh.csv"

// AMPds is an AMPds R1 sub-meter (or the whole house) as a load: each
// hour's energy spread over the hour, with a ripple of ±25 % (six periods
// an hour, so every hour's energy is exactly the dataset's), power factor
// 0.95, the two years looped. Negative hours in the data read as 0, and
// missing hours repeat the hour before.
type AMPds struct {
	Column string
	start  int64     // Unix second the first hour begins
	watts  []float64 // average power of each hour
}

// ReadAMPds reads a column of the hourly AMPds CSV (TimeStamp is the end of
// each hour, values Wh in the hour).
func ReadAMPds(r io.Reader, name, column string) (*AMPds, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty", name)
	}
	head := strings.Split(strings.TrimSpace(sc.Text()), ",")
	col := -1
	for i, h := range head {
		if h == column {
			col = i
		}
	}
	if col < 1 || head[0] != "TimeStamp" {
		return nil, fmt.Errorf("%s:1: no column %q (have %s)", name, column, strings.Join(head, ","))
	}
	a := &AMPds{Column: column}
	line := 1
	var last int64
	for sc.Scan() {
		line++
		f := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(f) != len(head) {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d", name, line, len(f), len(head))
		}
		ts, err1 := strconv.ParseInt(f[0], 10, 64)
		wh, err2 := strconv.ParseFloat(f[col], 64)
		if err1 != nil || err2 != nil || wh > 1e6 || math.IsNaN(wh) {
			return nil, fmt.Errorf("%s:%d: bad row", name, line)
		}
		// The dataset has a few negative hours (meter glitches, 2 of
		// WHE's 17,519): no load draws negative energy, read them as 0.
		wh = max(wh, 0)
		switch gap := ts - last; {
		case len(a.watts) == 0:
			a.start = ts - 3600
		case gap%3600 != 0 || gap < 3600 || gap > 24*3600:
			return nil, fmt.Errorf("%s:%d: timestamp %d is not 1 to 24 whole hours after %d", name, line, ts, last)
		default:
			// A missing hour (the dataset lacks two, at the autumn
			// clock change) repeats the hour before.
			for range gap/3600 - 1 {
				a.watts = append(a.watts, a.watts[len(a.watts)-1])
			}
		}
		last = ts
		a.watts = append(a.watts, wh) // Wh in one hour = average W
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(a.watts) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	return a, nil
}

// LoadAMPds reads column of AMPdsFile under dataDir.
func LoadAMPds(dataDir, column string) (*AMPds, error) {
	path := filepath.Join(dataDir, AMPdsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load: AMPds: %w", err)
	}
	defer f.Close()
	return ReadAMPds(f, path, column)
}

// Hours is the number of hours in the dataset.
func (a *AMPds) Hours() int { return len(a.watts) }

// HourWh returns the dataset's energy of the hour t falls in (looped).
func (a *AMPds) HourWh(t time.Time) float64 {
	return a.watts[a.hour(t)]
}

func (a *AMPds) hour(t time.Time) int {
	h := math.Floor(float64(t.Unix()-a.start) / 3600)
	n := float64(len(a.watts))
	return int(h - n*math.Floor(h/n))
}

func (a *AMPds) Power(t time.Time) metrology.Power {
	secs := t.Unix() - a.start
	ripple := 1 + 0.25*math.Sin(2*math.Pi*float64(((secs%600)+600)%600)/600)
	return phase(a.watts[a.hour(t)]*ripple, 0.95)
}
