// Package clock is the head-end's view of time: what time it is and how to
// wait. Everything in the head-end that schedules, backs off or times out
// takes a Clock, so that a simulator can run it faster than real time and
// tests can run it under testing/synctest (where Real is fake time).
package clock
