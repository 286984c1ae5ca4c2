// Package vee validates, estimates and edits meter readings (VEE) in the
// readings store. It works on one energy register channel of one meter at
// a time; every value it touches carries the quality flags of package
// store.
//
// # Validation
//
// Validate checks the register readings of a range against the interval
// grid (multiples of Config.Interval in UTC) and its predecessor:
//
//	gap           grid times with no reading (a GapSpan; open at the range's start or end)
//	spike         an interval above Config.MaxPowerW, or above SpikeFactor × the range's
//	              median interval energy and MinSpikeWh
//	negative      the register went down …
//	reset         … to a tenth or less of its value (meter reset or exchange)
//	rollover      … from the top tenth of Config.Modulus to the bottom tenth: valid, flagged Rollover
//	clock-jump    a reading off the grid by more than ClockTolerance, or a clock-set event
//	sum-mismatch  an interval-energy channel's sum over an interval differs from the register
//
// Readings that break a rule are marked Suspect (they await an operator,
// see Edit), the others Valid; events add ClockAdjusted, ClockInvalid and
// PowerDown. Marks are the stored readings with flags added, so appending
// them changes flags only (store.Merge ORs the flags of an equal actual
// value) and validating again marks nothing.
//
// # Estimation
//
// Estimate fills gaps with readings flagged Estimated: a straight line
// through the register for gaps of up to ShortGap readings; for longer
// gaps the register's difference across the gap shared in proportion to
// the meter's profile (mean energy per weekday and local time of day over
// the previous ProfileWeeks weeks); at the range's end, the profile's
// energies added on. The store never lets an estimate overwrite a measured
// value, and replaces an estimate when the measured value arrives, so
// estimation can run as often as wanted.
//
// # Editing
//
// Edit sets a value by hand with an actor and a reason: the audit entry in
// store/meta ("reading.edit", old and new value) is written first, then
// the reading flagged Edited, which replaces whatever was stored.
//
// Runner ties these to a store: Run reads a job's readings (and the
// meter's events, stored by mdm/ingest on the event-log channels),
// validates, estimates, and appends flags and estimates in one batch.
// Runner is safe for concurrent use; Validate and Estimate are pure.
package vee
