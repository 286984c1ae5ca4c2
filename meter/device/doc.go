// Package device runs one software meter as a DLMS/COSEM server: the
// metrology driver (meter/feed, waveform samples or a load model), the
// management core (meter), its journal and invocation counters in a state
// directory, its object tree (meter/objects), a dlms.Server with the
// three associations of ARCHITECTURE §4, and its pushes, sealed with the
// security setup's keys and the persisted push counter (meter/push). It is what `amigo meter` runs.
//
// Time: the meter's true time starts at the host clock's (or where a
// restored meter left off, if later) and runs Speed times faster. Every
// Tick the device feeds the metrology core and steps the meter up to now,
// stopping exactly at each duty the meter announces (Meter.Next) so
// tariff switches and profile entries are exact at any speed. Refused
// associations and replayed APDUs the server counts become events in the
// meter's communication log.
//
// Keys: the security setup starts with meter.toml's encryption,
// authentication and master keys. A key_transfer (wrapped with the master
// key) replaces them for the next association and the next push; the
// replacement is written to the state directory (keys.json, owner-only,
// replaced atomically and synced) before the meter answers, and overrides
// meter.toml's keys at every later start. Keys are never logged.
//
// State directory: journal and snapshot (meter/journal), counters.json
// (invocation counters: the server's and the pushes'), keys.json and
// nilm-library.amnl.
//
// With [modules.nilm] enabled in meter.toml (waveform input only) the
// NILM expansion module (meter/module/nilm) listens on the waveform
// driver's tap, its objects join the tree and its pushes go out after each
// step; a library updated over DLMS is kept in the state directory
// (nilm-library.amnl).
//
// Like meter/feed it sits on the hardware side of the legal separation:
// no management-core package imports it.
package device
