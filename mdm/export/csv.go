package export

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader is the first line of the CSV format, which ImportCSV reads
// back.
var CSVHeader = []string{"meter", "channel", "time", "value", "quality"}

// WriteCSV writes series as CSV: meter serial, OBIS code, RFC 3339 UTC
// time, integer value and the quality flags ("valid|estimated"; "actual"
// when none).
func WriteCSV(w io.Writer, series []Series) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rec := make([]string, len(CSVHeader))
	for _, s := range series {
		for _, r := range s.Readings {
			rec[0], rec[1], rec[2] = s.Serial, s.Channel.String(), timestamp(r.Time)
			rec[3], rec[4] = strconv.FormatInt(r.Value, 10), r.Quality.String()
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
