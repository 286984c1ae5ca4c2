package export

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

// FuzzImportCSV: any bytes import or fail with line errors, never panic;
// what imports exports to CSV that imports to the same readings.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("meter,channel,time,value,quality\n7,1.0.1.8.0.255,2024-01-01T00:00:00Z,5,valid|estimated\n"))
	f.Add([]byte("meter,channel,time,value\n7,1-0:2.8.0,2024-01-01T00:15:00.123+08:00,-5\n\"7\",1.0.1.8.0.255,2024-01-01T00:00:00Z,\"1\"\n"))
	f.Add([]byte("value,time,channel,meter\n"))
	f.Add([]byte("meter,channel,time,value\n\"7,1.0.1.8.0.255\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		st := &memStore{}
		if _, err := ImportCSV(context.Background(), bytes.NewReader(in), "f.csv", nil, st, 3); err != nil {
			if len(st.got) != 0 {
				t.Fatalf("error %v after importing %d readings", err, len(st.got))
			}
			return
		}
		var series []Series
		for _, r := range st.got {
			series = append(series, Series{Meter: r.Meter, Serial: strconv.FormatUint(uint64(r.Meter), 10), Channel: r.Channel, Readings: []store.Reading{r}})
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, series); err != nil {
			t.Fatal(err)
		}
		again := &memStore{}
		if _, err := ImportCSV(context.Background(), &buf, "again.csv", nil, again, 0); err != nil {
			t.Fatalf("exported CSV does not import: %v\n%s", err, buf.String())
		}
		if !slices.Equal(again.got, st.got) {
			t.Fatalf("re-imported %v, want %v", again.got, st.got)
		}
	})
}
