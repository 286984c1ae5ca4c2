// Package testenv is how amigo's tests (and the CLI's defaults) find what
// lives outside the repository: the shared test data, and the servers and
// tools of the CI suites.
//
// Shared data. SharedData is $AMIGO_SHARED_DATA when set, else
// ../shared/data beside the repository root: the directory holding the
// go.mod of module github.com/amigo-ami/amigo, found by walking up from
// the working directory (a nested module such as interop/ is walked
// past). Outside the repository it falls back to ../shared/data beside
// the working directory. The data is read in place, never copied into the
// repository. SharedFile and SharedDir skip a test whose data is absent,
// naming the missing file; data that is present but does not load is the
// test's failure, not a skip. SharedData alone is what non-test code may
// use, and only for a command-line flag's default.
//
// Servers and tools. A test needing a real server or tool (PostgreSQL,
// ClickHouse, a NATS cluster, Chromium) skips without it, but fails under
// CI=true, where the .ci/suites script that runs it provides it: a CI run
// must not pass by skipping. Unavailable makes that decision with one
// message for both; NeedServer applies it to a server given by an
// environment variable.
package testenv
