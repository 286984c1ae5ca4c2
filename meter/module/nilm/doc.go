// Package nilm is the NILM expansion module of a waveform-mode meter: it
// listens to the samples the metrology core measures, finds appliance
// switching events in them, classifies each with the signed feature
// library (package nilm at the repository root), follows each appliance's
// state and energy, and shows all of it as COSEM objects, pushes the
// events as they happen and takes library updates over DLMS.
//
// # Sample path and legal separation
//
// The metrology driver (meter/feed.Waveform, the simulator's waveform
// driver) hands every frame it has fed the metrology core to a Tap after
// the core took it; Module.Samples is that tap. The module gets a copy of
// the numbers and nothing else: it imports no metrology identifier that
// could write, no driver package (meter's separation test walks this
// package with the rest of the management side), and nothing it does
// reaches a register. One event detector runs per wired phase; a jump in
// the frame count (the meter was off) starts them over. The driver calls
// Step after each meter step to send the pushes due.
//
// # Objects
//
// Value group B = 128 marks them manufacturer-specific (IEC 62056-6-1
// §7.3.3); the other groups follow the standard objects they resemble.
//
//	OBIS               IC  attribute 2                                      clients
//	0.128.99.98.0.255   7  appliance event log: buffer of (clock time,       reader, management
//	                       last event elements 1…6), selective access by
//	                       range (clock time or an element) and by entry
//	0.128.96.11.0.255   1  last appliance event: structure, below; null      reader, management
//	                       before the first
//	0.128.96.12.0.255   1  appliances: array of structure, below             reader, management
//	0.128.0.2.0.255     1  feature library: structure, below                 public, reader, management
//	0.128.44.0.0.255   18  feature library transfer (image transfer)         reader reads; management
//	                                                                         writes attribute 5, invokes 1–4
//	0.128.25.9.0.255   40  push setup of appliance events (read-only)        reader, management
//
// The objects exist only on a meter whose meter.toml enables the module
// ([modules.nilm]).
//
//	last appliance event (the log's columns 2…7, data_index 1…6)
//	  1 appliance   long-unsigned        id in the appliance table; 0 unknown
//	  2 state       enum                 0 switched off, 1 switched on
//	  3 delta_p     double-long          active power step, W (after − before)
//	  4 distance    double-long-unsigned Mahalanobis distance to the nearest
//	                                     prototype ×1000 (4294967295: none)
//	  5 confidence  long-unsigned        share of the prototype's events further
//	                                     out, ‰ (1000 at its centre, 1 at the
//	                                     unknown threshold; nilm.Result.Confidence)
//	  6 phase       unsigned             1…3
//
//	appliances: array of
//	  structure { id long-unsigned, label utf8-string, on boolean,
//	              power double-long (W, while on), energy long64-unsigned (mWh since
//	              the start), switches double-long-unsigned }
//
//	feature library
//	  structure { version double-long-unsigned, sha256 octet-string (of the signed
//	              library; empty before one), appliances unsigned (labels it knows),
//	              last_update enum (0 none since the start, 1 activated, 2 refused:
//	              bad signature, 3 refused: not newer, 4 refused: malformed) }
//
// Appliance ids are the positions in the appliance table: the labels of
// the first library, then each new label a later library brings. A label
// keeps its id while the meter runs, so the log's ids stay meaningful
// across updates; the table names them.
//
// # Pushes
//
// With a push destination, every event is pushed as a Data-Notification
// (IEC 62056-5-3 §9.3.7, IEC 62056-47 wrapper, wPort 1 to 1) whose
// date-time and body are those of the event, encoded when it happens:
//
//	structure {
//	  octet-string  0.128.25.9.0.255, the push setup's logical name (the
//	                layout, as the head-end's push listener reads it)
//	  octet-string  logical device name ("AMG" + serial)
//	  octet-string  clock time of the event (date-time, 12 bytes)
//	  structure     the last appliance event, as above
//	}
//
// The pushes go through the meter's Pusher, so they are sent (and
// ciphered, where the device ciphers) like the meter's own; each goes on
// its own connection, so a head-end orders them by their time.
//
// A push that fails is repeated after the setup's repetition delay up to
// its number of retries, then given up and recorded as a push failure
// (event 240) in the meter's communication log.
//
// # Library updates
//
// A library is uploaded through the transfer object like a firmware image
// (image_transfer_initiate, image_block_transfer, image_verify,
// image_activate; any identifier). Verification checks the ECDSA P-256
// signature against the trusted key, the format and that the version is
// above the active one; a refused library leaves the active one in place
// and is recorded in the meter's firmware log (235 malformed or bad
// signature, 236 not newer) and in last_update. Activation records 234
// and, with Config.LibraryFile, keeps the library for the next start.
//
// # Energy
//
// Each appliance's energy is the power step of its switch-on event held
// until its switch-off (nilm.Tracker: an unknown switch-off that a
// running appliance can account for is taken as that appliance's change of
// mode). The table, the log and the appliance states are kept in memory:
// a restart starts them over (the library is what persists).
//
// # Concurrency
//
// Samples and Step belong to the goroutine that drives the meter (they
// call the meter, never under its lock). The objects, Events, Appliances
// and Library are safe from any goroutine.
package nilm
