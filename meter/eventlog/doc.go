// Package eventlog is the meter's event logs: the event codes, which log
// each goes to, and one profile generic buffer per log holding the time
// (the meter's clock) and the code of each event, plus each log's event
// code object (the last code recorded, 0.0.96.11.x.255).
//
// # Codes
//
// Codes up to 99 follow the IDIS / DSMR numbering where one exists (1
// power down, 2 power up, 4 and 5 clock adjusted old and new time, 40–48
// tamper and security, 60–67 disconnector and limiter, 76–81 voltage sags
// and swells). Codes from 200 are amigo's own for what those lists do not
// name (terminal over-temperature, reverse current per phase, prepayment,
// firmware verification, the NILM module's feature library: 234
// activated, 235 refused as malformed or badly signed, 236 refused as not
// newer). Codes reads the table.
//
// # Logs
//
//	log             profile            event code object
//	standard        0.0.99.98.0.255    0.0.96.11.0.255
//	tamper          0.0.99.98.1.255    0.0.96.11.1.255
//	disconnect      0.0.99.98.2.255    0.0.96.11.2.255
//	power quality   0.0.99.98.4.255    0.0.96.11.4.255
//	communication   0.0.99.98.5.255    0.0.96.11.5.255
//	firmware        0.0.99.98.6.255    0.0.96.11.6.255
//
// (0.0.99.98.3.255 is left to the M-Bus event log of a later module.)
//
// Not safe for concurrent use; the meter serialises access.
package eventlog
