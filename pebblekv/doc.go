// Package pebblekv is the key-value state machine of package kv on Pebble
// (github.com/cockroachdb/pebble/v2): the same commands with byte-identical
// results and the same snapshot format (so state transfer works between
// engines), with the state on disk instead of in memory. It has no
// digest of the state and no key count: the status page shows neither.
// It is the engine for a state larger than RAM (vr server --engine
// pebble); kv.Store stays the default.
//
// The Pebble database is the state machine's working copy, not a durable
// record: the replica's log and checkpoints are (as with kv.Store). Open
// starts from an empty database, Pebble's own WAL is off and commits do
// not sync, and a restarted replica restores its latest checkpoint into
// the store as it would into kv.Store. So a crash can never leave the
// database ahead of or behind the log; the price is that a restart
// rewrites the state (see docs/storage-engine.md).
//
// Snapshots are Pebble snapshots, taken in O(1) on the replica's
// goroutine and written later by WriteTo on any goroutine, in kv's
// format; a snapshot also writes the changes since the previous one
// (WriteDeltaTo, kv's delta format, from the keys the store noted), so
// that a checkpoint costs what changed rather than the state.
// A restore writes the new state under the other of two key prefixes
// (generations) and drops the old one only once the whole snapshot has
// been read and checked: on a bad snapshot the state is unchanged.
package pebblekv
