// Package registry is the head-end's meter registry: which meters exist,
// how to reach each (address, client level, system title, target network),
// which key set, group, tariff and firmware it has. The registry lives in
// store/meta (meters and key sets); this package imports it from CSV and
// TOML files and keeps an in-memory index of it for the head-end's hot
// paths (a push is matched to its meter by system title, a job by serial).
//
// # Address
//
// meta.Meter.Address holds everything needed to open an association:
//
//	[tcp://|hdlc://]host:port[?client=1|16|32|management|reader|public][&title=HEX16][&network=NAME]
//
// tcp (the default) is the IEC 62056-47 wrapper, hdlc HDLC over TCP;
// client the client SAP (ARCHITECTURE §4, 1 management when absent);
// title the meter's server system title (default DefaultSystemTitle of the
// serial); network the target network the meter sits on (a data
// concentrator, an NB-IoT cell), whose concurrent associations the
// head-end bounds (the host when absent).
//
// # Import files
//
// CSV: a header naming columns (any order, case-insensitive) among serial,
// address, client, keys, group, tariff, firmware, title, network, installed
// (RFC 3339 or YYYY-MM-DD), class; serial and address are required.
// TOML: [[meter]] tables with the same keys, and [keys.NAME] tables holding
// a key set's material in hex (guek, gak, kek, password).
//
// Every problem is reported, one per line, as FILE:LINE: reason, and an
// import with any problem changes nothing. Import creates meters that are
// new, updates those whose serial exists, and audits itself; tariffs are
// referred to by name and must exist.
//
// # Concurrency
//
// An Index is safe for concurrent use; Reload swaps it atomically.
package registry
