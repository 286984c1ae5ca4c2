package export

import (
	"encoding/xml"
	"io"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Series is what is exported: the readings of one channel of one meter,
// in time order.
type Series struct {
	Meter    store.MeterID
	Serial   string // the meter's serial number (store/meta); exports name meters by it
	Channel  store.Channel
	Readings []store.Reading
}

// timestamp formats Unix ms as RFC 3339 UTC, with milliseconds only when
// there are any.
func timestamp(ms int64) string {
	t := time.UnixMilli(ms).UTC()
	if ms%1000 != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// deltas turns register readings into the energy of each interval of
// length step on the grid: the difference of the readings at its ends,
// where both exist and the register did not go down.
type delta struct {
	start, value int64
	quality      store.Quality // the union of the ends' flags
}

func deltas(rs []store.Reading, step int64) []delta {
	var out []delta
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		if a.Quality&store.Missing != 0 || b.Quality&store.Missing != 0 || b.Time-a.Time != step || a.Time%step != 0 || b.Value < a.Value {
			continue
		}
		out = append(out, delta{start: a.Time, value: b.Value - a.Value, quality: a.Quality | b.Quality})
	}
	return out
}

// writeXML writes v as an indented XML document with its declaration.
func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
