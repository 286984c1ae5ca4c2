// Package export writes meter readings in the formats other systems read,
// and imports readings from CSV.
//
//   - CSV (WriteCSV): meter serial, OBIS code, RFC 3339 UTC time, integer
//     value, quality flags; ImportCSV reads it back.
//   - IEC 61968-9 MeterReadings (WriteCIM): the CIM payload in namespace
//     http://iec.ch/TC57/2011/MeterReadings#, one MeterReading per meter
//     (mRID the store id, Names the serial) with its register values as
//     Readings (ReadingType bulkQuantity) and their differences per
//     measuring period as IntervalBlocks (ReadingType deltaData, stamped
//     with the interval's end). ReadingType codes are the 18-field codes of
//     IEC 61968-9 Annex C (e.g. 0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.0.72.0:
//     15-minute forward active energy in Wh); quality flags become
//     ReadingQualityType codes of Annex D with system 3, the MDM (3.0.0
//     valid, 3.6.0 failed validation, 3.7.0 edited, 3.8.0 estimated).
//   - Green Button (WriteGreenButton): a NAESB REQ.21 ESPI Atom feed with a
//     UsagePoint per meter and, per channel, a MeterReading, its
//     ReadingType (deltaData, interval length, Wh or VArh) and an
//     IntervalBlock per local day of interval energies with ESPI
//     QualityOfReading (0 valid, 7 edited, 8 estimated, 10 questionable).
//     Entry ids are name-based UUIDs, so an export of the same data is the
//     same document.
//
// Every XML writer's output is decoded back with encoding/xml in the
// tests.
//
// # Import
//
// ImportCSV checks the whole file before it writes anything: any bad line
// makes an *ImportError listing each bad line as FILE:LINE: reason, and
// nothing is imported. A good file is appended in order, in atomic chunks;
// if a write fails, the result and the error say exactly which lines were
// imported.
package export
