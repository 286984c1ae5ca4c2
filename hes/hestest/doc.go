// Package hestest runs in-process meters for head-end tests and
// benchmarks, as net/http/httptest runs HTTP servers: each Meter is a
// dlms.Server over a cosem tree with the object list of the amigo meter
// (ARCHITECTURE §4) — clock, energy registers, the 15-minute load profile
// (captured lazily as time passes), the standard event log, disconnect
// control, limiter, push setup, security setup with key_transfer, the
// invocation counter, image transfer with the management core's firmware
// version, credit and the activity calendar — whose behaviour is just
// enough for the head-end to drive and for tests to check what it did.
//
// A Fleet holds meters by address and dials them over net.Pipe (so tests
// run inside testing/synctest bubbles) or lets them listen on loopback
// TCP (benchmarks). Faults: SetOffline makes a meter unreachable.
//
// The real software meter (package meter) replaces this in end-to-end
// runs; the head-end talks to both the same way.
package hestest
