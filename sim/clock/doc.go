// Package clock is a simulated fleet's time: one clock every simulated
// meter and, if it likes, the head-end read, so that "now" is the same on
// both sides of the wire at any speed.
//
// A Clock either runs Speed times faster than a wall clock from a start
// time (amigo sim --speed 60: an hour a minute), or, with speed 0, stands
// still until Set moves it (tests, benchmarks and --speed 0 runs that
// advance the fleet as fast as the CPU allows). Now never goes back.
//
// The wall clock is injected (time.Now by default; inside a
// testing/synctest bubble time.Now is the bubble's fake clock, so a
// scaled Clock runs on fake time there too).
//
// Clock has the two methods of the head-end's clock.Clock (Now, After),
// so a head-end embedded with the simulator waits on simulated time.
//
// Safe for concurrent use.
package clock
