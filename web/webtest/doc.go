// Package webtest is a synthetic AMI behind the web API, for the API and
// browser tests and for looking at the console without a fleet: a real
// store/meta database and store/pebble readings under a directory, seeded
// with meters, users with one token per role, two days of 1-minute load
// profile, bills and alarms, and fakes for the head-end (meter status,
// commands, jobs, firmware campaigns), the MDM (events, analytics) and the
// meters' NILM and power-quality captures.
//
// The fakes implement the consumer interfaces of package web the way the
// real components must: jobs go queued → running → done or failed and are
// published to the hub at each step, a disconnect changes the meter's
// supply state, a command to an offline meter fails. Everything is
// deterministic for a given Options.Seed and Options.Now.
package webtest
