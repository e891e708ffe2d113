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
// Commands, results, versions and snapshots are byte-for-byte those of
// kv.Store: the differential test feeds both the same commands.
package pebblekv
