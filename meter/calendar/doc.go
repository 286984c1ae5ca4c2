// Package calendar is the time-of-use logic of the management core: COSEM
// date and time patterns (fields "not specified", last and second last day
// of month, weekdays), the activity calendar (IC 20: seasons, week and day
// profiles, a passive calendar with activation time), special days (IC 11)
// and single action schedules (IC 22). It works on local wall-clock
// readings (Wall); the meter's clock converts instants to and from them.
//
// Which day profile applies on a date: a special day's if one matches,
// otherwise the week profile's of the season in force (the season whose
// start, this year or last, is the latest not after the time). Within a
// day the action with the latest start not after the time is in force;
// before the day's first action the previous day's last action holds.
// Calendar.At also says until when its answer stays valid, so a meter can
// switch tariffs exactly at a boundary without evaluating the calendar on
// every step.
//
// Everything here is plain data and pure functions; values are not safe
// for concurrent mutation.
package calendar
