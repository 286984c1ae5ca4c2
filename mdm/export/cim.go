package export

import (
	"encoding/xml"
	"io"
	"strconv"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// CIMNamespace is the namespace of IEC 61968-9 MeterReadings messages.
const CIMNamespace = "http://iec.ch/TC57/2011/MeterReadings#"

// The IEC 61968-9 MeterReadings payload, as far as amigo fills it. Field
// order follows the schema (attributes, then associations by name).
type (
	cimMeterReadings struct {
		XMLName       xml.Name          `xml:"MeterReadings"`
		Xmlns         string            `xml:"xmlns,attr"`
		MeterReadings []cimMeterReading `xml:"MeterReading"`
	}
	cimMeterReading struct {
		ValuesInterval *cimInterval       `xml:"valuesInterval,omitempty"`
		IntervalBlocks []cimIntervalBlock `xml:"IntervalBlocks"`
		Meter          cimMeter           `xml:"Meter"`
		Readings       []cimReading       `xml:"Readings"`
	}
	cimInterval struct {
		Start string `xml:"start"`
		End   string `xml:"end"`
	}
	cimMeter struct {
		MRID  string    `xml:"mRID"`
		Names []cimName `xml:"Names"`
	}
	cimName struct {
		Name string `xml:"name"`
	}
	cimIntervalBlock struct {
		IntervalReadings []cimIntervalReading `xml:"IntervalReadings"`
		ReadingType      cimRef               `xml:"ReadingType"`
	}
	cimIntervalReading struct {
		TimeStamp        string       `xml:"timeStamp"`
		Value            string       `xml:"value"`
		ReadingQualities []cimQuality `xml:"ReadingQualities"`
	}
	cimReading struct {
		TimeStamp        string       `xml:"timeStamp"`
		Value            string       `xml:"value"`
		ReadingQualities []cimQuality `xml:"ReadingQualities"`
		ReadingType      cimRef       `xml:"ReadingType"`
	}
	cimQuality struct {
		ReadingQualityType cimRef `xml:"ReadingQualityType"`
	}
	cimRef struct {
		Ref string `xml:"ref,attr"`
	}
)

// cimReadingType is the IEC 61968-9 ReadingType code (18 dotted fields:
// macroPeriod.aggregate.measuringPeriod.accumulation.flowDirection.
// commodity.measurementKind.interharmonic(2).argument(2).tou.cpp.
// consumptionTier.phases.multiplier.unit.currency) of a channel: bulk
// register values, or delta data per measuring period. Channels without
// a code are named by their OBIS code.
func cimReadingType(ch store.Channel, measuringPeriod, accumulation int) string {
	flow, unit := 0, 0
	switch ch {
	case store.ActiveImport:
		flow, unit = 1, 72 // forward, Wh
	case store.ActiveExport:
		flow, unit = 19, 72 // reverse, Wh
	case store.ReactiveImport:
		flow, unit = 1, 73 // forward, VArh
	case store.ReactiveExport:
		flow, unit = 19, 73 // reverse, VArh
	default:
		return "OBIS:" + ch.String()
	}
	f := []int{0, 0, measuringPeriod, accumulation, flow, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, unit, 0}
	b := make([]byte, 0, 40)
	for i, v := range f {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return string(b)
}

// Accumulation and measuring period codes of ReadingType.
const (
	bulkQuantity = 1
	deltaData    = 4
)

// measuringPeriod is the TimeAttribute code of an interval (0 if it has
// none).
func measuringPeriod(step time.Duration) int {
	switch step {
	case time.Minute:
		return 3
	case 5 * time.Minute:
		return 6
	case 10 * time.Minute:
		return 1
	case 15 * time.Minute:
		return 2
	case 30 * time.Minute:
		return 5
	case time.Hour:
		return 7
	case 24 * time.Hour:
		return 4
	}
	return 0
}

// cimQualities maps flags to IEC 61968-9 ReadingQualityType codes
// (system.category.subcategory, system 3: meter data management).
func cimQualities(q store.Quality) []cimQuality {
	var out []cimQuality
	add := func(code string) { out = append(out, cimQuality{cimRef{code}}) }
	if q&store.Valid != 0 {
		add("3.0.0") // valid
	}
	if q&store.Suspect != 0 {
		add("3.6.0") // failed validation
	}
	if q&store.Edited != 0 {
		add("3.7.0") // edited
	}
	if q&store.Estimated != 0 {
		add("3.8.0") // estimated
	}
	return out
}

// WriteCIM writes series as an IEC 61968-9 MeterReadings payload: one
// MeterReading per meter with its register values as Readings and, when
// interval is a measuring period the standard names, their differences
// per interval as IntervalBlocks (one per channel). Missing readings are
// left out.
func WriteCIM(w io.Writer, series []Series, interval time.Duration) error {
	doc := cimMeterReadings{Xmlns: CIMNamespace}
	byMeter := map[store.MeterID]int{}
	spans := map[int]store.Range{} // by MeterReading: the times of its readings
	for _, s := range series {
		i, ok := byMeter[s.Meter]
		if !ok {
			i = len(doc.MeterReadings)
			byMeter[s.Meter] = i
			doc.MeterReadings = append(doc.MeterReadings, cimMeterReading{Meter: cimMeter{MRID: strconv.FormatUint(uint64(s.Meter), 10), Names: []cimName{{s.Serial}}}})
		}
		mr := &doc.MeterReadings[i]
		bulk := cimReadingType(s.Channel, 0, bulkQuantity)
		for _, r := range s.Readings {
			if r.Quality&store.Missing != 0 {
				continue
			}
			mr.Readings = append(mr.Readings, cimReading{TimeStamp: timestamp(r.Time), Value: strconv.FormatInt(r.Value, 10),
				ReadingQualities: cimQualities(r.Quality), ReadingType: cimRef{bulk}})
		}
		if mp := measuringPeriod(interval); mp != 0 {
			block := cimIntervalBlock{ReadingType: cimRef{cimReadingType(s.Channel, mp, deltaData)}}
			for _, d := range deltas(s.Readings, interval.Milliseconds()) {
				// An interval reading is stamped with the end of its interval.
				block.IntervalReadings = append(block.IntervalReadings, cimIntervalReading{TimeStamp: timestamp(d.start + interval.Milliseconds()),
					Value: strconv.FormatInt(d.value, 10), ReadingQualities: cimQualities(d.quality)})
			}
			if len(block.IntervalReadings) > 0 {
				mr.IntervalBlocks = append(mr.IntervalBlocks, block)
			}
		}
		if n := len(s.Readings); n > 0 {
			sp, ok := spans[i]
			if !ok {
				sp = store.Range{From: s.Readings[0].Time, To: s.Readings[n-1].Time}
			}
			spans[i] = store.Range{From: min(sp.From, s.Readings[0].Time), To: max(sp.To, s.Readings[n-1].Time)}
		}
	}
	for i, sp := range spans {
		doc.MeterReadings[i].ValuesInterval = &cimInterval{Start: timestamp(sp.From), End: timestamp(sp.To)}
	}
	return writeXML(w, doc)
}
