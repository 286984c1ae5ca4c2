// Package schedule is the head-end's cron: when a schedule fires, and how
// its meters are spread over the jitter window so that a fleet does not
// call at the same second.
//
// A spec is five cron fields, minute hour day-of-month month day-of-week
// (each *, a value, a range a-b, a list a,b and a step */n or a-b/n; day
// of week 0–7 with 0 and 7 Sunday; when both day fields are restricted
// either matches, as in cron), or "@every D" (D a Go duration dividing a
// day or a multiple of one, counted from midnight UTC), "@hourly",
// "@daily", "@monthly". Times are in the schedule's location (UTC when
// nil).
package schedule
