// Package storetest checks readings stores against the contract of package
// store. Model is a small in-memory store.Store that follows the contract
// as literally as possible; Run is the conformance suite every engine
// (store/pebble, store/clickhouse) passes: hand-computed cases for the
// merge rules, idempotency, conflicts and aggregates across DST changes
// and month ends (Cases), and a metamorphic test (Metamorphic) that runs
// one random history against the engine, any peer engines and the Model
// at once and requires identical answers.
//
// The package also derives realistic household register readings from the
// AMPds data set (Household, Fleet) for tests and benchmarks.
package storetest
