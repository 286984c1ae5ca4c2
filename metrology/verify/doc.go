// Package verify runs the accuracy test matrix of ARCHITECTURE §6 against
// the metrology core, with generated signals whose truth is analytic
// (metrology/signal). The budgets are those of the software core: one tenth
// of the class 0.2S limits.
//
// The meter under test is three-phase, four-wire, sampled at 8 kHz per
// channel, with these nominal values:
//
//	Un   230 V      nominal voltage
//	fn   50 Hz      nominal frequency
//	In   5 A        nominal current (transformer-operated, IEC 62053-22)
//	Imax 10 A       maximum current
//	Itr  0.25 A     transitional current, 0.05·In
//	Imin 0.05 A     minimum current, 0.01·In
//	Ist  5 mA       starting current, 0.001·In
//	no-load threshold 2.5 mA (metrology.DefaultNoLoadCurrent)
//
// Energy points compare the register difference over a run with the
// analytic energy: P·T for loads that repeat every cycle (the registers
// cover every sample after Core.Finish), and the exact integral of u·i over
// the windows for the burst-fired load, whose power changes from window to
// window. Errors are signed; a point passes when |error| ≤ budget (A9 is
// one-sided: the time ratio must be positive and at most the budget).
//
// Every point is also a Go test (verify_test.go), and `amigo metrology
// verify` prints the table. Run is deterministic: the noise is seeded.
package verify
