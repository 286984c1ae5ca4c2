// Package web is amigo's HTTP face (ARCHITECTURE §8): the JSON API under
// /api/v1, its OpenAPI 3 document at /api/v1/openapi.json, Prometheus
// metrics at /metrics, live updates as server-sent events, and the
// operator console at /, embedded in the binary.
//
// # Embedding
//
// A Server is a component that `amigo serve` and `amigo demo` build from a
// Config and run:
//
//	s, err := web.New(web.Config{Listen: "127.0.0.1:8080", Auth: db, Audit: db, Fleet: fleet, Readings: st, …})
//	go s.Serve(ctx) // returns when ctx ends, after closing live streams
//	fmt.Println("console at http://" + s.Addr().String())
//
// New listens at once, so Addr is known before Serve. The API reaches the
// rest of the system only through the small interfaces in backends.go,
// which the components implement: *meta.DB is Authenticator, Auditor,
// Users, Alarms and Bills as it is; a store.Store is Readings; the
// head-end provides Fleet (a meter's record with its comms, supply and
// credit status), Commands, Jobs and Campaigns; the MDM provides Events
// and Analytics; the meters' modules NILM and PowerQuality. A nil backend
// makes its operations answer 501. Components publish live updates with
// the Hub's Publish methods (Server.Hub or Config.Hub).
//
// # The route table
//
// routes.go lists every operation once: method, path, least role,
// parameters with their types, ranges and enums, request and response
// types, and the error statuses it may answer. The mux, the checks run
// before a handler (authentication, role, unknown or malformed
// parameters), and the OpenAPI document (schemas derived from the Go types
// by reflection) all come from it. Tests walk the table against the served
// document and check that every status a route answered in any test is
// documented for it.
//
// Errors are always {"error": {"code": "...", "message": "..."}}; a
// message names the parameter or the object at fault ("parameter from:
// 2026-11-25T10:00:00Z is not before to 2026-11-25T09:00:00Z", "meter 99:
// meta: not found"). Unknown and repeated query parameters are refused, so
// a typo is an error rather than a silently ignored filter. Lists page
// with limit (1…1000, default 100) and an opaque next_cursor.
//
// # Authentication and audit
//
// Every operation except the document and the session endpoints needs a
// bearer token (store/meta keeps only its SHA-256 and compares in constant
// time). Roles rank viewer < operator < admin: reading needs viewer,
// commands and alarm acknowledgement operator, users, tokens, campaigns
// and the audit log admin. No or a bad token answers 401 with an RFC 6750
// WWW-Authenticate challenge; too low a role 403.
//
// The console signs in once with a token (`amigo demo` prints an admin
// token) and keeps it in an HttpOnly, SameSite=Strict session cookie
// (Secure over TLS) rather than in sessionStorage: script cannot read an
// HttpOnly cookie, so an injected script cannot steal the token, and the
// browser sends it on EventSource requests, which cannot carry an
// Authorization header (a token in the stream's URL would land in logs).
// Cross-site writes are refused by net/http's CrossOriginProtection, and
// a strict Content-Security-Policy allows scripts from the server only.
//
// Every command (and alarm acknowledgement, user and campaign creation)
// writes two audit entries: "requested" before it is passed on — if that
// write fails, the command is refused, so nothing happens unrecorded —
// and its outcome ("accepted" with the job id, or "rejected" with the
// reason) after. Token and user changes are audited by store/meta itself.
//
// # Live updates
//
// GET /api/v1/events/stream is a server-sent event stream of Updates,
// filtered by topic and meter. The Hub marshals each update once and
// never blocks a publisher: a subscriber whose buffer (HubConfig.Buffer)
// fills is dropped and its stream ends; the browser reconnects with
// Last-Event-ID and the hub replays what it still keeps
// (HubConfig.Replay), or sends a "resync" event telling the client to
// fetch the state again.
//
// # Metrics
//
// /metrics serves Config.Registry, on which the server registers request
// counts and latencies per operation (the route label is the operation id,
// never a path with meter ids in it), the number of open streams, and the
// Go runtime and process collectors if nobody did; the other components
// register their own collectors (reads, pushes, failures, ingest lag, job
// states) on the same registry. /metrics needs no token, as Prometheus
// scrapes it from inside the operator's network; it holds no meter data.
//
// # Console
//
// console/ holds plain ES modules, one stylesheet and uPlot, vendored as
// its released minified file (console/vendor/README.md records its version
// and sha256, which a test checks). There is no build step: what is in the
// repository is what the browser runs. The console routes with the URL
// fragment, so the server serves files only.
//
// A Server is safe for concurrent use. Package webtest is a synthetic
// backend for tests and for looking at the console without a fleet.
package web
