// Package tariff is the MDM's price plan: time-of-use periods from a
// calendar, a ladder (tiered, block) on the billing cycle's energy, and
// standing and demand charges, as a JSON Definition that store/meta keeps
// in meta.Tariff.Definition. Parse compiles a definition into a Tariff.
//
// # Money
//
// Money is int64 millionths of the currency unit, as store/meta keeps it;
// prices are Money per kWh, per day, per cycle or per kW, written in JSON as
// decimal strings ("0.5283") and parsed exactly, never through a float.
// Cost multiplies a quantity by a price in 128 bits and rounds the amount
// to the currency's minor unit (MinorDigits), halves away from zero.
//
// # Calendar
//
// Seasons start on a month and day every year; each gives a day profile
// (switches at local wall-clock times) per day type: weekday, saturday,
// sunday and holiday, a missing one taking the next in the chain holiday
// → sunday → saturday → weekday. Timeline turns the calendar into
// segments of UTC time for a range, walking the zone's offset changes:
// on the day clocks go forward a switch inside the skipped hour takes
// effect when they resume; on the day they go back the repeated hour is
// classified by its wall time both times. A timeline is computed once per
// billing cycle and shared by every meter on the tariff.
//
// # Ladder
//
// Tier i holds the cycle's energy up to its bound (the last is open). A
// tier's price for a period is the period's price plus the tier's adder
// (Chinese residential ladders: peak and valley both rise by the same
// step), or a price of its own for the periods it lists (ladders that raise
// peak and valley unequally). billing allocates energy to tiers in time
// order.
//
// # Cycle
//
// A billing cycle runs from local midnight of CycleDay to the same day a
// month later; Days counts its local calendar days (for standing charges).
//
// A Tariff is immutable and safe for concurrent use.
package tariff
