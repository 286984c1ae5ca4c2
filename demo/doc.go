// Package demo is `amigo demo`: the whole system in one process — a
// simulated fleet (package sim) read and pushed to by the AMI of `amigo
// serve` (package ami: head-end, embedded NATS, Pebble, SQLite, MDM, API
// and console) on one accelerated clock.
//
// The contract (ARCHITECTURE §3): Open builds both halves and connects
// them — the fleet's registry export imported into the head-end with a
// residential tariff every meter is billed on, the head-end reaching the
// meters in memory (no sockets per meter), the meters' ciphered pushes
// delivered to the real push listener over loopback TCP — and the console
// listens before Open returns, so its URL and an admin token can be shown
// at once. Run runs both until its context ends; Close stops the head-end
// first (nothing dials a meter that is going away), then the fleet, and
// removes the data directory when Open made a temporary one.
//
// Nothing here is demo-only logic: every reading, command and bill goes
// through the same packages as in a deployment; the demo only chooses the
// fleet, the schedules and the tariff.
package demo
