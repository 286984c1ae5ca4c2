package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/amigo-ami/amigo/store"
)

// Namespaces of a Green Button (NAESB REQ.21 ESPI) document: an Atom feed
// whose entries carry ESPI resources.
const (
	AtomNamespace = "http://www.w3.org/2005/Atom"
	ESPINamespace = "http://naesb.org/espi"
)

// The Atom feed and the ESPI resources amigo writes. ESPI element order
// follows the espi.xsd sequences.
type (
	atomFeed struct {
		XMLName xml.Name    `xml:"feed"`
		Xmlns   string      `xml:"xmlns,attr"`
		ID      string      `xml:"id"`
		Title   string      `xml:"title"`
		Updated string      `xml:"updated"`
		Links   []atomLink  `xml:"link"`
		Entries []atomEntry `xml:"entry"`
	}
	atomLink struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	atomEntry struct {
		ID        string      `xml:"id"`
		Links     []atomLink  `xml:"link"`
		Title     string      `xml:"title"`
		Content   atomContent `xml:"content"`
		Published string      `xml:"published"`
		Updated   string      `xml:"updated"`
	}
	atomContent struct {
		UsagePoint    *espiUsagePoint    `xml:"UsagePoint,omitempty"`
		MeterReading  *espiMeterReading  `xml:"MeterReading,omitempty"`
		ReadingType   *espiReadingType   `xml:"ReadingType,omitempty"`
		IntervalBlock *espiIntervalBlock `xml:"IntervalBlock,omitempty"`
	}
	espiUsagePoint struct {
		Xmlns           string `xml:"xmlns,attr"`
		ServiceCategory struct {
			Kind int `xml:"kind"`
		} `xml:"ServiceCategory"`
	}
	espiMeterReading struct {
		Xmlns string `xml:"xmlns,attr"`
	}
	espiReadingType struct {
		Xmlns                 string `xml:"xmlns,attr"`
		AccumulationBehaviour int    `xml:"accumulationBehaviour"`
		Commodity             int    `xml:"commodity"`
		DataQualifier         int    `xml:"dataQualifier"`
		FlowDirection         int    `xml:"flowDirection"`
		IntervalLength        int64  `xml:"intervalLength"`
		Kind                  int    `xml:"kind"`
		PowerOfTenMultiplier  int    `xml:"powerOfTenMultiplier"`
		TimeAttribute         int    `xml:"timeAttribute"`
		UOM                   int    `xml:"uom"`
	}
	espiIntervalBlock struct {
		Xmlns            string              `xml:"xmlns,attr"`
		Interval         espiPeriod          `xml:"interval"`
		IntervalReadings []espiIntervalReadg `xml:"IntervalReading"`
	}
	espiPeriod struct {
		Duration int64 `xml:"duration"`
		Start    int64 `xml:"start"`
	}
	espiIntervalReadg struct {
		ReadingQuality *espiQuality `xml:"ReadingQuality,omitempty"`
		TimePeriod     espiPeriod   `xml:"timePeriod"`
		Value          int64        `xml:"value"`
	}
	espiQuality struct {
		Quality int `xml:"quality"`
	}
)

// espiQuality maps flags to ESPI QualityOfReading: 0 valid, 7 manually
// edited, 8 estimated (from a reference day), 10 questionable, 14 raw
// (not validated).
func espiQualityOf(q store.Quality) int {
	switch {
	case q&store.Edited != 0:
		return 7
	case q&store.Suspect != 0:
		return 10
	case q&store.Estimated != 0:
		return 8
	case q&store.Valid != 0:
		return 0
	}
	return 14
}

// espiNamespace is the name-based UUID namespace of amigo's ESPI ids, so a
// resource keeps its id from one export to the next.
var espiNamespace = uuid.MustParse("6f7a0a2e-4e0b-5d2a-9a61-616d69676f21")

func urn(parts ...string) string {
	name := ""
	for _, p := range parts {
		name += "/" + p
	}
	return "urn:uuid:" + uuid.NewSHA1(espiNamespace, []byte(name)).String()
}

// WriteGreenButton writes series of energy registers as a Green Button
// (ESPI) Atom feed: per meter a UsagePoint (electricity), and per channel
// a MeterReading, its ReadingType (delta data per interval, Wh or VArh,
// forward or reverse) and an IntervalBlock per local day of loc holding
// the energy of each interval (the register's differences). Hrefs follow
// the ESPI resource paths under base ("/espi/1_1/resource").
func WriteGreenButton(w io.Writer, series []Series, interval time.Duration, loc *time.Location, updated time.Time, base string) error {
	if loc == nil {
		loc = time.UTC
	}
	step := interval.Milliseconds()
	if step <= 0 || interval%time.Second != 0 {
		return fmt.Errorf("green button: interval %v is not whole seconds", interval)
	}
	up := updated.UTC().Format(time.RFC3339)
	feed := atomFeed{Xmlns: AtomNamespace, ID: urn("feed", base), Title: "amigo Green Button export", Updated: up,
		Links: []atomLink{{Rel: "self", Href: base + "/Batch/Subscription"}}}
	entry := func(id, title string, links []atomLink, c atomContent) {
		feed.Entries = append(feed.Entries, atomEntry{ID: id, Links: links, Title: title, Content: c, Published: up, Updated: up})
	}
	seen := map[store.MeterID]bool{}
	for n, s := range series {
		upPath := fmt.Sprintf("%s/UsagePoint/%d", base, s.Meter)
		if !seen[s.Meter] {
			seen[s.Meter] = true
			p := &espiUsagePoint{Xmlns: ESPINamespace}
			p.ServiceCategory.Kind = 0 // electricity
			entry(urn("UsagePoint", strconv.FormatUint(uint64(s.Meter), 10)), s.Serial,
				[]atomLink{{"self", upPath}, {"up", base + "/UsagePoint"}, {"related", upPath + "/MeterReading"}},
				atomContent{UsagePoint: p})
		}
		flow, uom := 1, 72
		switch s.Channel {
		case store.ActiveImport:
		case store.ActiveExport:
			flow = 19
		case store.ReactiveImport:
			uom = 73
		case store.ReactiveExport:
			flow, uom = 19, 73
		default:
			return fmt.Errorf("green button: channel %s is not an energy register", s.Channel)
		}
		mrPath := fmt.Sprintf("%s/MeterReading/%d", upPath, n+1)
		rtPath := fmt.Sprintf("%s/ReadingType/%d-%d", base, s.Meter, n+1)
		id := strconv.FormatUint(uint64(s.Meter), 10) + "/" + s.Channel.String()
		entry(urn("MeterReading", id), s.Channel.String(),
			[]atomLink{{"self", mrPath}, {"up", upPath + "/MeterReading"}, {"related", mrPath + "/IntervalBlock"}, {"related", rtPath}},
			atomContent{MeterReading: &espiMeterReading{Xmlns: ESPINamespace}})
		entry(urn("ReadingType", id), "energy per interval",
			[]atomLink{{"self", rtPath}, {"up", base + "/ReadingType"}},
			atomContent{ReadingType: &espiReadingType{Xmlns: ESPINamespace, AccumulationBehaviour: deltaData, Commodity: 1, DataQualifier: 12,
				FlowDirection: flow, IntervalLength: step / 1000, Kind: 12, TimeAttribute: 0, UOM: uom}})
		var block *espiIntervalBlock
		var dayEnd int64
		flush := func() {
			if block != nil {
				entry(urn("IntervalBlock", id, strconv.FormatInt(block.Interval.Start, 10)), "",
					[]atomLink{{"self", fmt.Sprintf("%s/IntervalBlock/%d", mrPath, block.Interval.Start)}, {"up", mrPath + "/IntervalBlock"}},
					atomContent{IntervalBlock: block})
			}
		}
		for _, d := range deltas(s.Readings, step) {
			if block == nil || d.start >= dayEnd {
				flush()
				y, m, dd := time.UnixMilli(d.start).In(loc).Date()
				ds, de := time.Date(y, m, dd, 0, 0, 0, 0, loc).Unix(), time.Date(y, m, dd+1, 0, 0, 0, 0, loc).Unix()
				block = &espiIntervalBlock{Xmlns: ESPINamespace, Interval: espiPeriod{Duration: de - ds, Start: ds}}
				dayEnd = de * 1000
			}
			ir := espiIntervalReadg{TimePeriod: espiPeriod{Duration: step / 1000, Start: d.start / 1000}, Value: d.value}
			if q := espiQualityOf(d.quality); q != 14 {
				ir.ReadingQuality = &espiQuality{Quality: q}
			}
			block.IntervalReadings = append(block.IntervalReadings, ir)
		}
		flush()
	}
	return writeXML(w, feed)
}
