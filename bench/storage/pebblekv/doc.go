// Package pebblekv is the key-value state machine of package kv kept in a
// Pebble LSM tree instead of an in-memory B-tree, for the durable mode's
// evaluation (see docs/storage-engine.md).
//
// Pebble's own write-ahead log is disabled: the VR log is the WAL. Every
// Apply commits one Pebble batch with pebble.NoSync that holds the mutation,
// the store-wide revision and the applied op-number, so whatever Pebble has
// flushed to disk is always the state after some whole prefix of the applied
// ops, and the op-number stored with it says where log replay must resume.
// Checkpoint flushes the memtable and takes a hard-linked Pebble checkpoint;
// Open on that directory resumes with the same op-number and contents.
//
// This is the design docs/storage-engine.md measured (hard-linked Pebble
// checkpoints, an applied op-number kept in the database), kept for that
// measurement. The engine vr server runs (--engine pebble) is the
// module's own package pebblekv, a working copy restored from the VR
// checkpoints; its differential test against kv.Store (which this package
// had, before kv gained Incr and batches) lives there.
package pebblekv
