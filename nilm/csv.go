package nilm

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadCSV reads the voltage and current of one phase ("a", "b" or "c") from
// a sample file in the metrology CSV layout (ARCHITECTURE §5): a header
// naming channels from ua,ia,ub,ib,uc,ic, then one sample per line. Errors
// name the input as name:line.
func ReadCSV(r io.Reader, name, phase string) (v, i []float64, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("%s:1: %w", name, err)
		}
		return nil, nil, fmt.Errorf("%s:1: empty file, want a header", name)
	}
	line++
	cols := strings.Split(strings.TrimSpace(sc.Text()), ",")
	ui, ii := -1, -1
	for k, c := range cols {
		c = strings.TrimSpace(c)
		switch c {
		case "u" + phase:
			ui = k
		case "i" + phase:
			ii = k
		case "ua", "ia", "ub", "ib", "uc", "ic":
		default:
			return nil, nil, fmt.Errorf("%s:1: unknown channel %q (want ua,ia,ub,ib,uc,ic)", name, c)
		}
	}
	if ui < 0 || ii < 0 {
		return nil, nil, fmt.Errorf("%s:1: no u%s and i%s columns", name, phase, phase)
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != len(cols) {
			return nil, nil, fmt.Errorf("%s:%d: %d fields, header has %d", name, line, len(fields), len(cols))
		}
		u, err1 := strconv.ParseFloat(strings.TrimSpace(fields[ui]), 64)
		c, err2 := strconv.ParseFloat(strings.TrimSpace(fields[ii]), 64)
		if err1 != nil || err2 != nil || math.IsNaN(u+c) || math.IsInf(u+c, 0) {
			return nil, nil, fmt.Errorf("%s:%d: not a finite sample: %q", name, line, text)
		}
		v, i = append(v, u), append(i, c)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return v, i, nil
}
