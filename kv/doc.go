// Package kv is the deterministic, in-memory key-value state machine that
// Viewstamped Replication replicates. It knows nothing of replication: a
// *Store implements core.StateMachine, executing encoded Commands in Apply
// and returning encoded Results.
//
// Keys are ordered bytewise in a B-tree. Every successful mutation (Put, a
// Delete that removed a key, a CAS that swapped) increments a store-wide
// revision counter, and the mutated key's version becomes that revision, so
// versions are deterministic and strictly increase over the life of the
// store, across deletes and re-creations.
//
// Determinism rests on every replica using the same Limits: a command valid
// under one set of limits may be rejected under another.
package kv
