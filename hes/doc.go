// Package hes is amigo's head-end: it reads and commands meters over
// DLMS/COSEM and receives their pushes (ARCHITECTURE §1, §2, §7, §10).
//
//	New(ctx, Config) → *HeadEnd     loads the registry, opens the push listener's sockets
//	(*HeadEnd).Run(ctx)             job workers, schedules and the push listener, until ctx ends
//	(*HeadEnd).Submit(ctx, Request) a job → its id; Job, Jobs, Wait follow it
//
// # Parts
//
//   - hes/registry: meters (address, client level, system title, network,
//     key set, group, tariff, firmware) in store/meta, CSV/TOML import.
//   - hes/conn: associations with bounded concurrency (global and per
//     target network), per-meter serialisation, timeouts, retries with
//     backoff and jitter, reuse, invocation counters with resync, wrong keys
//     reported and not retried.
//   - hes/schedule: cron specs and per-meter jitter offsets; Schedule here
//     runs them.
//   - hes/push: the push listener (decrypt, authenticate, refuse replays,
//     decode, batch, publish durably).
//   - hes/profile: COSEM profile buffers, registers and date-times into
//     readings and events.
//   - hes/hestest: in-process meters for tests and benchmarks.
//
// # Jobs
//
// Every job is a row in store/meta (state queued → running → done or
// failed, progress, result as JSON) with an audit entry when it is
// submitted and when it ends. Submit records the job and queues it: on
// the bus JOBS work queue (subject bus.JobsSubject(serial), or
// bus.JobsSubject("group."+group)) when Config.Bus is set, where every
// head-end node's workers consume and a job is owned by whoever pulls it;
// or in this process otherwise. A job whose lease runs out (its node died)
// is taken over by another node; progress renews the lease. Other producers may publish {"kind", "meter" or
// "group", "params", "actor"} on amigo.jobs.<serial> directly: the
// consumer records the job, then runs it.
//
// Kinds (constants of type Kind, parameters and results in the XxxParams
// and XxxResult types):
//
//	read-profile      profile entries since the watermark (range selective access), readings → bus
//	read-events       the same for an event log, events → bus
//	read-registers    energy registers at the meter's clock, readings → bus
//	read-status       disconnect control state and credit (with its currency)
//	read-power-quality instantaneous values, THD, harmonics, a waveform capture; values → bus
//	read-appliances   a NILM module's appliance table and events since the watermark, events → bus
//	disconnect        remote_disconnect, control state read back
//	reconnect         remote_reconnect, control state read back
//	credit-top-up     update_amount once (never repeated), credit read back
//	clock-sync        clock read, set when it drifted beyond max_drift
//	set               any attribute, value as A-XDR hex
//	tariff            activity calendar passive attributes, optional activation
//	push-setup        push_object_list (push.DefaultLayout) and destination
//	key-rotation      new keys by key_transfer (RFC 3394 wrapped), verified, switched
//	firmware-campaign image transfer in waves, verify, activate, confirm version; halts past its failure threshold
//	demand-response   limiter threshold (and other settings) on a group, who confirmed
//
// Config.OnOutcome hears how each operation on one meter ended (with the
// kind's result), which is how a fleet view keeps every meter's comms,
// supply and credit status without polling the jobs.
//
// A meter job may be given a group: it then runs on each meter of the
// group (AllMeters: all), spread over Request.Jitter, and its result is a
// GroupResult. A meter that refuses our keys fails its job with reason
// "wrong-key" and raises a critical "wrong-key" alarm; it is not retried.
//
// # Backfill
//
// A profile read asks for the entries after the meter's watermark (the
// last entry read and durably published; a bus key-value bucket shared by
// the nodes, memory without a bus) up to now, so the first read after an
// outage fetches every interval missed and none twice. Published messages
// carry IDs naming meter, object and time span, so a read published twice
// within the bus's duplicate window is stored once.
//
// # Metrics
//
// Collectors on Config.Metrics: amigo_hes_reads_total{kind},
// amigo_hes_failures_total{reason}, amigo_hes_readings_published_total,
// amigo_hes_jobs_total{kind,state}, amigo_hes_jobs_running,
// amigo_hes_association_seconds, amigo_hes_association_failures_total{reason},
// and the push listener's amigo_hes_pushes_*.
//
// # Concurrency
//
// A HeadEnd is safe for concurrent use; Run is called once.
package hes
