// Package clock is the management core's real-time clock, with the
// semantics of the COSEM clock (IC 8): local time from a time zone and
// daylight saving rules (begin, end, deviation, enabled), the status bits
// of a date-time (invalid, doubtful, different base, daylight saving
// active), a clock base, SET of the time and the adjust_to_quarter,
// adjust_to_minute, adjust_to_measuring_period, adjust_to_preset_time and
// shift_time methods.
//
// The clock is a simulation of a crystal: it is driven by true time (the
// host's, or a simulator's accelerated time) passed into every call, and
// reads anchorMeter + (trueNow − anchorTrue)·(1 + drift·10⁻⁶), so a
// configured drift in ppm makes it gain or lose time the way a real RTC
// does, deterministically. Every adjustment returns a Change (old and new
// meter time) that the meter records as an event.
//
// Conventions: time zone and date-time deviation in minutes with UTC =
// local + deviation (central European time is −60); daylight saving begins
// at its pattern read in standard time and ends at its pattern read in
// daylight time. Not safe for concurrent use.
package clock
