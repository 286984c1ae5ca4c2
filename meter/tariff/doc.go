// Package tariff prices energy: a ladder (tiered, block) price on the
// consumption of the current month, plus a time-of-use price per tariff
// register. Money is an integer count of nano-units of the currency so
// every price and every charge is exact; a consumption that crosses a tier
// bound is split there and each part priced at its own tier.
//
// Plain values, safe for concurrent reads.
package tariff
