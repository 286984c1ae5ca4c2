package export

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/pebble"
)

const t0 int64 = 1704067200000 // 2024-01-01T00:00Z

// sample is two meters' registers: meter 7 A+ over an hour with an
// estimated reading, and meter 9 A+ and R+ over half an hour.
func sample() []Series {
	reg := func(m store.MeterID, ch store.Channel, n int, start, inc int64) []store.Reading {
		var rs []store.Reading
		for i := range n {
			rs = append(rs, store.Reading{Meter: m, Channel: ch, Time: t0 + int64(i)*900_000, Value: start + int64(i)*inc, Quality: store.Valid})
		}
		return rs
	}
	a := reg(7, store.ActiveImport, 5, 1_000_000, 250)
	a[2].Quality = store.Estimated
	return []Series{
		{Meter: 7, Serial: "LGZ.0007", Channel: store.ActiveImport, Readings: a},
		{Meter: 9, Serial: "LGZ,0009", Channel: store.ActiveImport, Readings: reg(9, store.ActiveImport, 3, 50, 100)},
		{Meter: 9, Serial: "LGZ,0009", Channel: store.ReactiveImport, Readings: reg(9, store.ReactiveImport, 3, 10, 5)},
	}
}

// wellFormed walks every token of an XML document.
func wellFormed(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, doc)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if lines[0] != "meter,channel,time,value,quality" || lines[3] != "LGZ.0007,1.0.1.8.0.255,2024-01-01T00:30:00Z,1000500,estimated" || lines[6] != `"LGZ,0009",1.0.1.8.0.255,2024-01-01T00:00:00Z,50,valid` {
		t.Errorf("CSV:\n%s", buf.String())
	}
	serials := map[string]store.MeterID{"LGZ.0007": 7, "LGZ,0009": 9}
	resolve := func(_ context.Context, s string) (store.MeterID, error) {
		if id, ok := serials[s]; ok {
			return id, nil
		}
		return 0, errors.New("no such meter")
	}
	st := &memStore{}
	res, err := ImportCSV(context.Background(), &buf, "x.csv", resolve, st, 4)
	if err != nil {
		t.Fatal(err)
	}
	if res.Readings != 11 || res.Applied != 11 || res.AppliedThrough != 12 || res.Store.Added != 11 || st.writes != 3 {
		t.Errorf("result %+v in %d writes", res, st.writes)
	}
	var want []store.Reading
	for _, s := range sample() {
		want = append(want, s.Readings...)
	}
	if !slices.Equal(st.got, want) {
		t.Errorf("imported %v\nwant %v", st.got, want)
	}
}

// memStore keeps appended readings; it fails the write numbered failAt.
type memStore struct {
	got            []store.Reading
	writes, failAt int
}

func (m *memStore) Append(_ context.Context, batch []store.Reading) (store.AppendResult, error) {
	m.writes++
	if m.writes == m.failAt {
		return store.AppendResult{}, errors.New("disk full")
	}
	m.got = append(m.got, batch...)
	return store.AppendResult{Added: len(batch)}, nil
}

func TestImportReportsEveryBadLine(t *testing.T) {
	in := `meter,channel,time,value,quality
7,1.0.1.8.0.255,2024-01-01T00:00:00Z,100,valid
7,1.0.1.8.0.256,2024-01-01T00:15:00Z,200,
0,1.0.1.8.0.255,2024-01-01T00:30:00Z,300,
7,1-0:1.8.0,2024-01-01 00:45,400,
7,1-0:1.8.0*255,2024-01-01T01:00:00+01:00,4.5,
7,1.0.1.8.0.255,2024-01-01T01:15:00Z,500,great
7,1.0.1.8.0.255,2024-01-01T01:30:00Z
7,1.0.1.8.0.255,2024-01-01T01:45:00Z,700,estimated|valid
`
	st := &memStore{}
	_, err := ImportCSV(context.Background(), strings.NewReader(in), "readings.csv", nil, st, 0)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v, want an ImportError", err)
	}
	want := []string{
		`readings.csv:3: OBIS code "1.0.1.8.0.256": group 6`,
		`readings.csv:4: meter "0": want a meter id`,
		`readings.csv:5: time "2024-01-01 00:45": want RFC 3339`,
		`readings.csv:6: value "4.5": want an integer`,
		`readings.csv:7: quality "great": unknown flag "great"`,
		`readings.csv:8: 3 fields, the header has 5`,
	}
	if len(ie.Lines) != len(want) || ie.Bad != len(want) {
		t.Fatalf("%d line errors (%d bad), want %d:\n%v", len(ie.Lines), ie.Bad, len(want), err)
	}
	for i, w := range want {
		if got := ie.Lines[i].Error(); !strings.HasPrefix(got, w) {
			t.Errorf("line error %d: %q, want prefix %q", i, got, w)
		}
	}
	if !strings.HasSuffix(err.Error(), "nothing imported") || st.writes != 0 {
		t.Errorf("%d writes after bad lines; message %q", st.writes, err)
	}
}

// Found by FuzzImportCSV: a quote left open to the end of the file made
// the line number lookup panic.
func TestImportUnterminatedQuote(t *testing.T) {
	_, err := ImportCSV(context.Background(), strings.NewReader("meter,channel,time,value\n\"7,1.0.1.8.0.255\n"), "q.csv", nil, &memStore{}, 0)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Lines) != 1 || !strings.HasPrefix(ie.Lines[0].Error(), `q.csv:2: extraneous or missing " in quoted-field`) {
		t.Errorf("err %v, want q.csv:2 naming the quote", err)
	}
}

func TestImportSaysWhatWasApplied(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()[:1]); err != nil {
		t.Fatal(err)
	}
	st := &memStore{failAt: 2}
	res, err := ImportCSV(context.Background(), &buf, "a.csv", func(context.Context, string) (store.MeterID, error) { return 7, nil }, st, 2)
	if err == nil || res.Applied != 2 || res.AppliedThrough != 3 || len(st.got) != 2 {
		t.Fatalf("result %+v, %v; want lines 2–3 applied", res, err)
	}
	if !strings.Contains(err.Error(), "a.csv: lines 2–3 imported (2 readings), line 4 onward not: disk full") {
		t.Errorf("message %q", err)
	}
}

func TestCIMDecodesBack(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCIM(&buf, sample(), 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	var doc cimMeterReadings
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.XMLName.Space != CIMNamespace || len(doc.MeterReadings) != 2 {
		t.Fatalf("decoded %+v", doc)
	}
	m7, m9 := doc.MeterReadings[0], doc.MeterReadings[1]
	if m7.Meter.MRID != "7" || m7.Meter.Names[0].Name != "LGZ.0007" || len(m7.Readings) != 5 || len(m9.Readings) != 6 {
		t.Fatalf("meters %+v %+v", m7.Meter, m9.Meter)
	}
	if r := m7.Readings[2]; r.TimeStamp != "2024-01-01T00:30:00Z" || r.Value != "1000500" || r.ReadingType.Ref != "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.0.72.0" ||
		len(r.ReadingQualities) != 1 || r.ReadingQualities[0].ReadingQualityType.Ref != "3.8.0" {
		t.Errorf("estimated register reading %+v", r)
	}
	if len(m7.IntervalBlocks) != 1 || m7.IntervalBlocks[0].ReadingType.Ref != "0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.0.72.0" || len(m7.IntervalBlocks[0].IntervalReadings) != 4 {
		t.Fatalf("interval blocks %+v", m7.IntervalBlocks)
	}
	// The interval 00:15–00:30 ends on the estimate: 250 Wh, estimated.
	if ir := m7.IntervalBlocks[0].IntervalReadings[1]; ir.TimeStamp != "2024-01-01T00:30:00Z" || ir.Value != "250" || len(ir.ReadingQualities) != 2 {
		t.Errorf("interval reading %+v", ir)
	}
	if len(m9.IntervalBlocks) != 2 || m9.IntervalBlocks[1].ReadingType.Ref != "0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.0.73.0" || m9.IntervalBlocks[1].IntervalReadings[0].Value != "5" {
		t.Errorf("meter 9 reactive block %+v", m9.IntervalBlocks)
	}
	if m7.ValuesInterval == nil || m7.ValuesInterval.Start != "2024-01-01T00:00:00Z" || m7.ValuesInterval.End != "2024-01-01T01:00:00Z" {
		t.Errorf("values interval %+v", m7.ValuesInterval)
	}
}

func TestGreenButtonDecodesBack(t *testing.T) {
	var buf bytes.Buffer
	series := sample()
	if err := WriteGreenButton(&buf, series, 15*time.Minute, time.UTC, time.UnixMilli(t0).Add(24*time.Hour), "/espi/1_1/resource"); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	var feed atomFeed
	if err := xml.Unmarshal(buf.Bytes(), &feed); err != nil {
		t.Fatal(err)
	}
	if feed.XMLName.Space != AtomNamespace || feed.Updated != "2024-01-02T00:00:00Z" {
		t.Fatalf("feed %+v", feed.XMLName)
	}
	var kinds []string
	var blocks []*espiIntervalBlock
	for _, e := range feed.Entries {
		c := e.Content
		switch {
		case c.UsagePoint != nil:
			kinds = append(kinds, "UsagePoint")
		case c.MeterReading != nil:
			kinds = append(kinds, "MeterReading")
		case c.ReadingType != nil:
			kinds = append(kinds, "ReadingType")
			if c.ReadingType.AccumulationBehaviour != 4 || c.ReadingType.IntervalLength != 900 || c.ReadingType.Kind != 12 {
				t.Errorf("reading type %+v", c.ReadingType)
			}
		case c.IntervalBlock != nil:
			kinds = append(kinds, "IntervalBlock")
			blocks = append(blocks, c.IntervalBlock)
		}
		if !strings.HasPrefix(e.ID, "urn:uuid:") || len(e.Links) == 0 {
			t.Errorf("entry %q without a URN id or links", e.Title)
		}
	}
	want := "UsagePoint MeterReading ReadingType IntervalBlock UsagePoint MeterReading ReadingType IntervalBlock MeterReading ReadingType IntervalBlock"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("entries %s\nwant    %s", got, want)
	}
	b := blocks[0]
	if b.Interval.Start != t0/1000 || b.Interval.Duration != 86400 || len(b.IntervalReadings) != 4 {
		t.Fatalf("block %+v", b)
	}
	if ir := b.IntervalReadings[1]; ir.Value != 250 || ir.TimePeriod.Start != t0/1000+900 || ir.TimePeriod.Duration != 900 || ir.ReadingQuality == nil || ir.ReadingQuality.Quality != 8 {
		t.Errorf("estimated interval %+v", ir)
	}
	if ir := b.IntervalReadings[0]; ir.ReadingQuality == nil || ir.ReadingQuality.Quality != 0 {
		t.Errorf("valid interval %+v", ir)
	}
	// The same export again has the same ids.
	var again bytes.Buffer
	WriteGreenButton(&again, series, 15*time.Minute, time.UTC, time.UnixMilli(t0).Add(24*time.Hour), "/espi/1_1/resource")
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("two exports of the same data differ")
	}
}

// The import writes into a real store through its Append.
func TestImportIntoStore(t *testing.T) {
	st, err := pebble.Open(context.Background(), filepath.Join(t.TempDir(), "r"), pebble.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := "meter,channel,time,value\n3,1.0.1.8.0.255,2024-01-01T00:00:00Z,5\n3,1.0.1.8.0.255,2024-01-01T00:00:00Z,5\n"
	res, err := ImportCSV(context.Background(), strings.NewReader(in), "in.csv", nil, st, 0)
	if err != nil || res.Store.Added != 1 || res.Store.Unchanged != 1 {
		t.Errorf("import %+v, %v; want one added, one duplicate", res, err)
	}
}
