// Package prepay is the meter's payment logic (IC 111 account, IC 112
// credit, IC 113 charge): a token credit topped up by authenticated
// tokens, an emergency credit, a consumption charge priced per Wh and a
// standing charge per day taken in real time, the low-credit warning and
// the out-of-credit condition on which the meter disconnects.
//
// # Money
//
// Amounts are tariff.Money (nano-units of the currency), so charges are
// exact; the COSEM objects show them in the account currency's scale. The
// standing charge accrues per nanosecond of meter time with the remainder
// carried, so charging once a day or once a second costs the same.
//
// # Credits
//
// Consumption is taken from the token credit first; when it is used up
// the emergency credit, if invoked (by the customer, or automatically when
// configured), is used until it is exhausted too. A top-up first repays
// what was used of the emergency credit, then adds to the token credit.
// Available credit is the sum of the credits in use. Crossing below the
// low-credit threshold, running out and getting credit back are reported
// as a Change, from which the meter records events and drives the
// disconnector.
//
// # Tokens
//
// A token is 32 bytes:
//
//	0        4                12                               32
//	+--------+----------------+--------------------------------+
//	| id u32 | amount i64     | HMAC-SHA-256 tag, first 20 B   |
//	+--------+----------------+--------------------------------+
//
// big-endian, amount in Money, the tag over "amigo-token" ‖ meter serial ‖
// the first 12 bytes with the meter's token key, so a token is valid for
// one meter only. Ids are anti-replay: an id is accepted once, if it is
// above the highest accepted minus 64 (a window, so tokens bought
// together may be entered in any order).
//
// Not safe for concurrent use; the meter serialises access.
package prepay
