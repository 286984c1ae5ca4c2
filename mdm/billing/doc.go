// Package billing turns a meter's register readings into bills: bill
// determinants (energy per ladder tier and TOU period, maximum demand,
// days) and bill lines priced by an mdm/tariff Tariff, with money as
// integer minor units.
//
// # From readings to a bill
//
//	readings ──Intervals──▶ intervals ──Meter.Measure──▶ Determinants ──Price──▶ Lines
//
// Intervals takes the register readings of one channel over a cycle
// [from, to], which must have a reading (actual or estimated) at both
// ends; each pair of consecutive readings not flagged Missing bounds an
// interval whose energy is the register difference. An interval bounded
// by an estimate, or longer than the nominal interval (readings were lost
// and its energy is spread over the gap), is estimated; a register that
// went down is an error until validation explains it.
//
// Meter.Measure splits each interval's energy between the TOU periods it
// spans in proportion to time (exactly, in Wh) and allocates it to the
// ladder's tiers in time order, so the tier bound can fall inside an
// interval and inside a period; estimated energy is carried along.
// Maximum demand is the largest energy in a demand window (aligned to the
// local clock) that starts in a charged period, as mean power.
//
// Price makes a line per tier and period used, standing charges (per
// local day and per cycle) and the demand charge. Each line's amount is
// its quantity times its price, rounded to the minor unit, halves away
// from zero; the total is the sum of the lines. testdata/golden holds
// bills worked out by hand: a tier crossed inside a peak, month
// boundaries with estimates and lost readings, and both DST changes.
//
// # Bills in store/meta and re-billing
//
// Biller.Run bills one meter for the cycle holding an instant, reading
// the readings store and store/meta (meter, tariff, earlier bills). When
// the cycle has a current bill that says the same, nothing is written;
// when the data changed (estimates replaced by actual readings, edits) a
// new bill superseding the current one is created, and the old one is
// kept with status superseded. Bill.Meta says how lines map to
// meta.BillLine. Biller.RunMany does the same for a batch of meters on
// every core and stores the batch's bills in one transaction
// (meta.CreateBills), the way a fleet is billed: a transaction a bill
// would be a disk sync a bill.
//
// The energy register's profile is read with store.Store.ScanSamples
// into a buffer each worker keeps, so a bill allocates little more than
// its lines.
//
// Biller is safe for concurrent use; Meter is not (one per goroutine).
package billing
