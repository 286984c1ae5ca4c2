// Package energy keeps the management core's billing registers: energy
// totals and per-tariff registers in whole units (Wh, varh, VAh) built
// from the metrology core's register increments, and demand registers
// (IC 5, sliding window of number_of_periods × period) with maximum demand
// per tariff.
//
// # Exact per-tariff split
//
// The metrology core counts in micro-units. Registers here take its
// increments, carry the part below one whole unit, and give each whole unit
// to the total and to the tariff in force when it completed, so every
// per-tariff register is a whole number and, at every moment, the tariff
// registers of a quantity add up to its total exactly (a meter that
// rounded each tariff register on its own would drift from the total).
// Registers only grow; nothing here resets them. Derived registers (+R =
// QI + QII, −R = QIII + QIV) are sums of registered quadrant values.
//
// Values are plain data for one owner; not safe for concurrent use.
package energy
