// Package objects is a meter's COSEM object tree: every object of
// ARCHITECTURE §4 implemented over a meter.Meter, with the access rights of
// its three clients, as the cosem.Tree a dlms.Server serves.
//
// # Objects
//
// Clock, logical device name (0.0.42.0.0.255, "AMG" + serial), serial
// number, invocation counter, security setup; energy registers +A and −A
// total and per tariff (1.0.1.8.0–4, 1.0.2.8.0–4), +R, −R, the four
// reactive quadrants and apparent import/export, +A of the billing period
// (1.0.1.9.0); demand registers (1.0.1.4.0, 1.0.2.4.0) and maximum demand
// per tariff (1.0.1.6.0–4, 1.0.2.6.0–4); instantaneous voltage, current,
// power and power factor per phase, total powers, power factor and
// frequency; the 15-minute and 1-minute load profiles, daily and monthly
// billing profiles, their AMR status objects; the six event logs and
// their event code objects; activity calendar, special days, tariff in
// force, billing schedule and counter, script tables; disconnect control
// and limiter; push setups and the push schedule; account, token and
// emergency credit, consumption and standing charges, token gateway (IC
// 115); image transfer; metrology and management firmware identifier and
// signature (1.0.0.2.0/8, 1.1.0.2.0/8).
//
// # Rights
//
//	client 16, public (no security)   reads clock, names, invocation
//	                                   counter, firmware identification
//	client 32, reader (LLS)            reads every object but the security setup
//	client 1, management (HLS-GMAC)    reads everything and writes and invokes
//	                                   what the meter lets change, in
//	                                   authenticated requests only
//
// Registers are never writable and their reset method is not offered:
// billing registers never reset.
//
// # Module objects
//
// An expansion module (meter/module/...) adds its own objects with
// Tree.Add before the tree is served: each Extra names its access level
// (Metered, PublicRead, ManagementOnly) and what the management client may
// write and invoke, and gets the rights above. ImageTransfer gives a
// module an IC 18 object over its own Images (the management core's
// transfer is the same handler over the meter); PushSetup shows a push
// setup the module sends itself.
//
// # Sharing
//
// A Schema (the object list with handlers and rights) depends only on the
// configuration's shape, so a fleet of meters shares one; a Tree binds a
// schema to one meter and costs a few words plus its security setup. The
// handlers hold no state; what objects keep between calls (the preset
// time, the last token) lives in the Tree.
//
// Safe for concurrent use: every read goes through the meter's lock.
package objects
