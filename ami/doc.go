// Package ami assembles amigo's components into the running AMI of
// `amigo serve` and `amigo demo` (ARCHITECTURE §1, §3, §8, §10): the bus,
// the readings and metadata stores, the head-end, the MDM's ingest and
// recurring work, and the web API, wired through adapters that give the
// API's consumer interfaces (web/backends.go) their real implementations.
//
//	cfg, err := ami.LoadConfig("amigo.toml")  // errors name FILE:LINE: key
//	sys, err := ami.Open(ctx, cfg, ami.Options{Logger: log})
//	err = sys.Run(ctx)                         // until ctx ends; stops in order, closes
//
// # Roles and engines
//
// Config.Roles picks what the process runs: "hes" (the head-end, its
// schedules and push listener), "mdm" (ingest from the bus into the
// readings store, billing, load-curve checks), "web" (API, /metrics,
// console); any mix, all three by default. Processes with different roles
// share the work through one bus and one pair of stores, each chosen by
// URL: the embedded NATS server, Pebble (pebble:DIR) and SQLite
// (sqlite:PATH) by default, or an external NATS cluster, ClickHouse and
// PostgreSQL. A web-only process still builds a head-end, without running
// it, to record jobs and queue them on the bus for whichever head-end node
// takes them.
//
// # Adapters
//
//	web.Fleet      store/meta's meters + each meter's status (below)
//	web.Commands   a head-end job per command: read-now → read-profile,
//	               connect → reconnect, disconnect, credit-top-up (a token
//	               minted with the vending key, Config.Prepay, or an amount),
//	               clock-sync, tariff-update (the MDM tariff as the meter's
//	               passive activity calendar, activated)
//	web.Jobs       the head-end's jobs; progress from their counts
//	web.Campaigns  firmware-campaign jobs
//	web.Events     the event logs the MDM stores as readings
//	web.Analytics  class recommendations from the last week's +A, load-curve
//	               alarms, completeness per group
//	web.PowerQuality  the latest read-power-quality capture, read afresh when
//	               older than 15 minutes
//	web.NILM       appliance events (hes read-appliances → bus → store), named
//	               by the latest appliance table; energy per appliance from
//	               its switch-on step held until its switch-off
//	*meta.DB       Auth, Audit, Users, Alarms, Bills; store.Store: Readings
//
// A meter's status — comms (online after an answered exchange within
// OfflineAfter, offline after an unanswered one), the scheduled reads'
// success over 24 hours, supply state and credit — comes from the
// head-end's outcomes (hes.Config.OnOutcome) and from the readings the
// MDM stores (pushes count as the meter being heard). It lives in the bus
// key-value bucket amigo_meter_status, so every process sees what any
// head-end node learned.
//
// # Live updates
//
// The console's stream (web.Hub) hears: readings as the MDM stores them
// (in the process that ingests), meter status changes (in the process
// that learns them, and after every finished job in the web process), and
// jobs and alarms, which the web process polls from store/meta twice a
// second — so that progress recorded by any head-end node reaches it.
//
// # Stopping
//
// Run stops the parts one after another when its context ends: the API
// first (no new commands), then the head-end (its last push batch
// published), the MDM (its last batch stored and acknowledged), the
// announcer; then the stores are closed and the bus last. A data directory
// left this way opens again as it was; one left by a crash recovers the
// same (every store is durable at acknowledgement).
//
// A System is safe for concurrent use.
package ami
