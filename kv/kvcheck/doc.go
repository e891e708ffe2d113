// Package kvcheck checks histories of kv operations for linearizability
// with porcupine.
//
// # What is checked
//
// Get, Put, Delete and CAS are checked, per key: the model is partitioned by
// key, which is sound because linearizability is local (a history is
// linearizable iff each object's sub-history is). Scans touch many keys and
// are not recorded or checked. Cross-key facts are not checked either: the
// versions the store returns are store-wide revisions, and the model only
// demands that a key's versions strictly increase, not that revisions agree
// across keys.
//
// # Model state and versions
//
// The state of one key is whether it exists, its value, its version, and a
// floor: a lower bound for every version the key can take from now on. A
// Put or a swapping CAS outputs a new version; the model accepts any version
// above the floor and adopts it. Get must return the current value and
// version; CAS swaps iff its expected version is the current one (0: the key
// is absent) and a failed CAS must report the current version.
//
// # Operations with unknown outcome
//
// An operation whose client timed out or was told its session was evicted
// may or may not have taken effect, and if it did, it may have done so at
// any moment after its call, even after later operations completed. Such an
// operation is recorded with Output.Unknown set and a return time of
// math.MaxInt64 (Check enforces this), so porcupine may linearize it
// anywhere after its call. The model always applies an unknown write at its
// linearization point; "never took effect" is the linearization after every
// other operation, where its effect is observed by nobody. Where an unknown
// write's effect is itself uncertain (the version it sets, or whether an
// unknown CAS finds its expected version when an earlier unknown write left
// the version unknown), the model is nondeterministic: it keeps the set of
// possible states (porcupine.NondeterministicModel), and a later read
// narrows it. Unknown reads carry no information and are dropped.
package kvcheck
