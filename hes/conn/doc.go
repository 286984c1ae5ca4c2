// Package conn is the head-end's connection management: it opens DLMS
// associations to meters and runs work on them, within limits.
//
//   - Bounded concurrency: at most Config.MaxConns associations at once in
//     all, and Config.MaxPerNetwork per target network (a data
//     concentrator, a cell: registry.Address.Network).
//   - Per-meter serialisation: one piece of work per meter at a time.
//   - Timeouts: each attempt is bounded by Config.Timeout.
//   - Retries: transient failures (unreachable, timeout, connection lost)
//     are retried up to Config.Retry.Attempts times, after exponential
//     backoff with jitter; permanent ones (a wrong key, an access the meter
//     refuses) are not.
//   - Association reuse: after work on a meter its association stays open
//     for Config.Idle (0: released at once), and the next work on the meter
//     uses it; an association that fails is dropped and opened again once.
//   - Invocation counters: the client's send and receive counters of each
//     meter live in a CounterBackend (bus key-value bucket across head-end
//     nodes, memory in tests), send counters reserved a window at a time.
//     An association refused for authentication is retried once after
//     resynchronising: a public association reads the meter's invocation
//     counter object (0.0.43.1.0.255) and the send counter is raised above
//     it. Refused again, the meter has another key: ErrWrongKey, permanent.
//
// Time comes from Config.Clock (timers included), so schedules, backoff and
// timeouts run under testing/synctest.
//
// A Manager is safe for concurrent use.
package conn
