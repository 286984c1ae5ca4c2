// Package analytics answers the questions a utility's planning and meter
// management staff ask of the readings (ARCHITECTURE §7, the seed's
// analytics):
//
//   - Accuracy class: RecommendedClass maps a meter's monthly consumption
//     to the class it deserves (0.2 from 500 kWh a month, 0.5 from 200,
//     1 from 100, else 2); CheckClasses compares each meter's installed
//     class (store/meta) with it, over the mean of the months with data,
//     and Mismatched lists the meters whose class is too low ("under"),
//     needlessly high ("over") or not on record. Monthly consumption comes
//     from one aggregate query over the whole fleet (block headers).
//   - Load-curve monitoring: LoadCurve compares a meter's day with its
//     baseline (per time of day, the median of the same weekday over the
//     previous weeks) and raises a "load-deviation" alarm in store/meta
//     when enough consecutive intervals deviate; Run watches only meters
//     that used at least 200 kWh the month before, and alarms a day once.
//   - Power-market settlement: Settlement sums a group's energy per
//     15-minute period from the registers at the period boundaries
//     (1-minute or 15-minute profiles), counting the meters that have
//     each period and those resting on estimates; nothing is guessed.
//   - Fleet quality: SamplingPlan gives the ISO 2859-1:1999 single
//     sampling plan (normal inspection, general inspection level II) for a
//     lot size and AQL from Table 1 and Table 2-A, which are kept as data
//     in the layout of the standard; Lots groups in-service meters into
//     lots (year of installation and class) and Inspect draws a lot's
//     sample reproducibly from a seed. VerificationDue is the due list of
//     the 8-year verification (rotation) cycle.
//
// Functions read the store through the small Readings interface; none
// keeps state between calls, so all are safe for concurrent use.
package analytics
