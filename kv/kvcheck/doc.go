// Package kvcheck checks histories of kv operations: for linearizability
// with porcupine (Check), and the weaker promise of stale reads
// (CheckStale).
//
// # What Check checks
//
// Get, Put, Delete, CAS, Scan, ScanPrefix and batches are checked against a
// sequential model of the store. The state is a map from key to key state,
// and the history is partitioned into independent sub-histories: two
// operations are in one sub-history if they touch a common key, where a
// batch touches the keys of its operations and a scan touches every key of
// the history in its range (keys nobody wrote are absent throughout, and a
// scan that returns one fails against the model). No operation spans two
// sub-histories, so each is an independent object and the history is
// linearizable iff each sub-history is (linearizability is local). A
// history of single-key operations thus splits into one sub-history per
// key; a scan over all keys puts every operation in one, checked against
// the whole map.
//
// A scan is one atomic read of every key in its range: its items must be
// exactly the existing keys in range of one state, in order, up to its
// limit, with More set iff keys were left. That is stronger than reading
// each key on its own at some instant of the scan's interval
// (TestScanIsNotPerKeyReads shows a history that per-key reads accept and
// the scan model rejects). The store's byte budget per scan is not
// modelled: a scan it cut short fails the check, so record scans only
// where results stay small.
//
// A batch applies its operations in order at one linearization point, with
// nothing in between: a read that sees one of its writes sees all of them.
// An unknown batch takes effect whole or (linearized last) not at all.
//
// Cross-key facts are not checked beyond that: the versions the store
// returns are store-wide revisions, and the model only demands that a
// key's versions strictly increase, not that revisions agree across keys.
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
//
// A settled unknown operation (Output.Settled, Recorder.EndSettled) keeps
// its return time: it took effect before it returned or never. VR's
// session-evicted reply settles the request it answers. The model then
// offers both its effect and no effect at its linearization point. Settled
// operations are not concurrent with everything after them, which keeps
// the search short: with dozens of open-ended operations in one
// sub-history, porcupine checks a linearizable history quickly but may
// need exponential time to show that a wrong one is not linearizable.
//
// # Stale reads
//
// A stale read (Input.Stale) is answered by one replica from its own
// state, which may lag behind: it is not linearizable and Check leaves it
// out. CheckStale checks what it does promise: every value it returns was
// written by a write that began before the read returned, with that
// write's version, and it is never older than what the same replica state
// (Output.Source) was seen to hold by an operation that returned before
// the read began. It does not promise that a client sees its own writes or
// its earlier reads when it reads at another replica, and CheckStale does
// not demand it.
package kvcheck
