// Package sched is the fleet simulator's one scheduler: a min-heap of
// (due time, meter) pairs, so that stepping ten thousand meters costs
// nothing for the meters that have nothing to do. Each meter is in the
// queue once, under the time its next duty or fault falls due.
//
// Entries are 16 bytes (Unix nanoseconds and an index); pushing and
// popping allocate nothing once the heap has grown. Not safe for
// concurrent use: the fleet's scheduling goroutine owns it.
package sched
