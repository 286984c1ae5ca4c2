// Package sim is the fleet simulator (`amigo sim`): N software meters in
// one process — the real management core (package meter), object tree
// and DLMS/COSEM server of `amigo meter` each — driven by load models or
// by waveforms through the real metrology core, on one accelerated clock,
// with faults, reachable over their own sockets or in memory, pushing to
// a head-end.
//
//	f, err := sim.New(sim.Config{Meters: 10000, Speed: 60, Listen: true, PushTo: "127.0.0.1:4060",
//		Faults: spec, Seed: 1})
//	sim.WriteCSV(w, f.Registry())   // for the head-end's registry import
//	err = f.Run(ctx)                 // until ctx is done
//
// # Time
//
// Clock (package sim/clock) is the fleet's simulated time, Speed times
// faster than the wall clock, or stopped (Speed 0) and moved by AdvanceTo
// (tests, benchmarks, as-fast-as-possible runs). A head-end embedded with
// the fleet reads the same clock. No meter has a goroutine: one scheduler
// (package sim/sched, a heap of due times) drives each meter exactly when
// a duty of its (a tariff switch, a profile capture, a push) or a fault of
// its plan falls due, on as many goroutines as there are CPUs; a
// connection's request first brings its meter up to the clock. A meter
// is stepped at its duties' times whatever the speed, so its profiles and
// tariff splits are exact.
//
// # Meters
//
// Meter k has serial FirstSerial+k (ten digits), system title "AMG" + 5
// bytes of it, its address from Config.Addresses — by default its own
// loopback address 127.1.x.y:4059 (one socket each, served by one epoll
// goroutine: package sim/listen) or, where only 127.0.0.1 binds, port
// 20000+k — and the demo keys or keys of its own (Config.Keys). Its shape
// (calendar, profiles, push setups) is Config.Template, the built-in
// template by default: five days of 15-minute profile, an interval push
// every 15 minutes in the head-end's default layout, a last-gasp push and
// a tamper push (PushSetups).
//
// The first Config.Waveform meters run the real metrology core on the
// waveform of a household of appliances (package sim/wave: PLAID cycles
// or built-in ones); the rest feed the core's accumulator from a load
// model a second at a time (meter/feed.Fast): an AMPds R1 household
// shifted and scaled per meter (a synthetic day without the data), with
// PV and an EV charger for Config.Mix's shares of meters. When the
// template enables [modules.nilm], every waveform meter runs the NILM
// expansion module (meter/module/nilm) exactly as amigo meter does: on
// its driver's sample tap, its objects (appliance event log, appliance
// table, feature library and its remote update) in the meter's tree for
// DLMS clients and the head-end's read-appliances job, stepped with the
// meter; Fleet.NILM hands it to tests. With Config.PushTo it also pushes
// each appliance event as it happens (push setup 0.128.25.9.0.255, a
// layout the head-end's push listener always knows), ciphered like the
// meter's own pushes.
//
// Push-only meters (Config.PushOnly) serve nothing; every meter with a
// push destination dials it, pushes one ciphered DataNotification
// (general-glo-ciphering, the meter's keys and push invocation counter,
// in a wrapper frame) and hangs up.
//
// # Faults
//
// Config.Faults (package sim/fault) is applied to every meter with its
// own seeded plan: frames it sends lost, corrupted or delayed; offline
// periods (connections refused and cut, pushes failing); outages and
// restarts (PowerDown with its last gasp, PowerUp; unreachable
// meanwhile); tamper episodes (cover and magnet sensors); invocation
// counter losses (the meter's counters restart at 0); crystal drift.
// Stats counts them.
//
// # Registry
//
// Registry lists every meter as the head-end's registry imports it;
// WriteCSV and WriteTOML write the files (TOML with the key sets).
//
// # Concurrency
//
// A Fleet is safe for concurrent use. Run is called at most once; Close
// (or the end of Run) ends every connection and push.
package sim
