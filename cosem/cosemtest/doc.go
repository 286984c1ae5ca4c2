// Package cosemtest builds a small, fixed object tree for tests and for
// test servers, as net/http/httptest serves HTTP tests: a logical device
// name, a serial number, a clock, registers with scaler-units, a load
// profile with a few hundred rows, a security setup, an invocation counter
// and a large writable buffer, visible to the three clients of
// ARCHITECTURE §4 with their rights.
package cosemtest
