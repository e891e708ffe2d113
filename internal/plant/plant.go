// Package plant holds the deliberate protocol bugs that the simulator and
// the tests plant to show that their checks can fail (each one is an old
// behaviour of the core that a review or the simulator found unsafe, or a
// classic mistake). The core reads them through core.Config.Plant and the
// driver through driver.Config.Plant; no
// production package may import this one (TestOnlyCoreAndSimImportPlant),
// so production code cannot switch a bug on by accident, and code outside
// this module cannot name the type at all.
package plant

// Bugs are deliberate protocol bugs. The zero value plants none.
type Bugs struct {
	// CommitOneShort commits with one PrepareOK fewer than f.
	CommitOneShort bool
	// IgnorePeerLost ignores the transport's hint that the primary's
	// connection ended (core.Replica.PeerLost): a backup waits its whole
	// view-change timeout after its primary was killed (the old
	// behaviour).
	IgnorePeerLost bool
	// DVCByOpOnly picks the new view's log by op-number alone, ignoring the
	// last normal view.
	DVCByOpOnly bool
	// RecoveryInViewChange answers Recovery while in view-change status.
	RecoveryInViewChange bool
	// TruncateOnNewView applies the paper's literal rule: on learning of a
	// newer view, truncate the log to the commit-number and take the new
	// view as the last normal view before state transfer completes.
	TruncateOnNewView bool
	// NoStickiness lets a replica that hears from its primary join a view
	// change started by a single replica (stale-view disruption).
	NoStickiness bool
	// LeaseIgnoresDrift computes the primary's read lease as if clocks
	// never drifted, whatever MaxClockDrift says.
	LeaseIgnoresDrift bool
	// JumpOverHeldLog makes a replica that adopts a log whose base is
	// above its commit-number drop the committed entries it holds itself
	// and wait for a checkpoint (the old behaviour), and lets a new primary
	// whose base is above what it executed ignore the DoViewChange logs
	// that hold the missing ops: if the only checkpoint at that base was
	// on a diskless replica that crashed, no replica can execute again
	// (long-run finding at large seed 42601).
	JumpOverHeldLog bool
	// TruncateAtOwnCheckpoint lets a primary cut its log at its own saved
	// checkpoints alone (the old behaviour), not only below one that a
	// quorum of full replicas saved: backups that lag behind jump over the
	// ops the primary cut and hold no state, and when the primary, the
	// last replica with the state, then crashes, the cluster wedges (e2e
	// TestLargeValuesStayWithinFrames with 1 MiB values).
	TruncateAtOwnCheckpoint bool
	// StatelessDropsCommitted lets a replica that lacks the state at its
	// base drop every committed entry when its log is full (the old
	// behaviour), even above the primary's base: those may be the only
	// copy, besides the primary's, of ops another replica needs on top of
	// its older state (simulator, profile lagging-backups).
	StatelessDropsCommitted bool
	// SkipCheckpointFetch lets a replica whose log jumped past what it
	// executed carry on from the new base without installing a checkpoint,
	// as if the truncated ops were in its state.
	SkipCheckpointFetch bool
	// RecoveryIgnoresAnnounced lets a recovering replica become normal in
	// the highest view among the answers even when a replica reports that
	// it announced a later one, for which the recovering replica may have
	// sent a DoViewChange before it crashed (review finding A).
	RecoveryIgnoresAnnounced bool
	// NoStartGate lets the primary of a cluster that never executed
	// anything serve before every replica joined, so that a replica slow
	// to finish its first handshake finds a cluster with state and must
	// recover (review finding D).
	NoStartGate bool
	// WaitForRecoveringPrimary keeps a view change waiting for its
	// timeout although the replica that would lead it is recovering.
	WaitForRecoveringPrimary bool
	// CheckpointByOpsOnly takes checkpoints every CheckpointInterval ops
	// only, never by bytes of log (the old behaviour): with large entries
	// the log, and the messages that carry it, grow without a checkpoint.
	CheckpointByOpsOnly bool
	// CheckpointByLogSize triggers the byte checkpoint on the bytes of log
	// held rather than on the bytes executed since the last checkpoint: the
	// log held differs between replicas (its base moved by a transfer or a
	// cut), so replicas checkpoint at different ops. The state stays the
	// same, so the simulator does not see it; a core test does
	// (TestByteTriggerOnLogHeldDiverges).
	CheckpointByLogSize bool
	// ResetBackoffOnNewView resets the doubling of the view-change timeout
	// as soon as a replica enters a view (the old behaviour), instead of
	// when the view proved it works: with large messages on slow links the
	// next view's first messages queue behind the last one's, and views
	// thrash (profile bandwidth).
	ResetBackoffOnNewView bool
	// RetransmitEveryRetry sends unacknowledged Prepares and DoViewChange,
	// and GetState (whose answer carries the log), again every RetryTicks,
	// however large (the old behaviour), instead of doubling the gap while
	// nothing progresses (profile bandwidth).
	RetransmitEveryRetry bool
	// ProvenViewKeepsTimeout keeps the view-change timeout a view was
	// entered with, doubled by the failed views before it, after the view
	// proved itself (the old behaviour): only the next view's timeout
	// went back to the base, so a backup of a working view entered after
	// a run of failed ones suspected its crashed primary up to 32 times
	// the base timeout later (profile all, seed 1296).
	ProvenViewKeepsTimeout bool
	// WitnessMayLead makes the primary function range over every member,
	// witnesses included, instead of over the full replicas only: a
	// witness, which holds no state, becomes primary of some views.
	WitnessMayLead bool
	// WitnessServesState lets replicas ask witnesses for state transfer
	// and checkpoints, and witnesses answer GetState with their log.
	WitnessServesState bool
	// StandbyInQuorum counts a standby's PrepareOK toward the f+1 that
	// commit an op, as if the standby voted: an op then commits on fewer
	// than f+1 voting members, and a view change that does not hear from
	// the standby can lose it.
	StandbyInQuorum bool
	// StandbyMayLead makes the primary function range over the full
	// replicas and the standbys instead of the full replicas only: a
	// standby, which takes no part in view changes, becomes primary of
	// some views.
	StandbyMayLead bool
	// EpochFromMessage lets a full replica that receives StartEpoch for a
	// later epoch it is a member of enter that epoch at once, claiming the
	// state at the epoch's first op without fetching it: the epoch copied
	// from a message instead of advanced by executing the RECONFIGURATION.
	EpochFromMessage bool
	// EpochKeepsView starts a new epoch in the view the replica was in
	// instead of view 0 (VR Revisited §8.3: two primaries).
	EpochKeepsView bool
	// JoinerInViewZero lets a joiner that installed a checkpoint of its
	// new epoch above the epoch's first op (the RECONFIGURATION at R)
	// enter the epoch at once in view 0, normal (the old behaviour),
	// instead of learning the epoch's view through the recovery protocol
	// first: the checkpoint may hold ops committed in a later view of the
	// epoch, and a replica in view 0 with those commits breaks the rule
	// that a replica holds no commit of a view after its last normal view
	// (reconfig seed 53 with the timer order of issue 10: a stale
	// StartView of view 1 below the joiner's commit).
	JoinerInViewZero bool
	// RetireEarly lets a replica that leaves the configuration report at
	// once that it may shut down, before f'+1 new members hold the state.
	RetireEarly bool
	// AdmitNewMajority admits a RECONFIGURATION whose new configuration
	// has fewer than f'+1 voting members holding the state at its first op
	// (members that stay, standbys promoted): its new members all recover
	// once they joined, beyond the new epoch's fault threshold.
	AdmitNewMajority bool
	// RefusalOffTheLog answers a RECONFIGURATION the primary refuses for
	// a transient reason (a member lags: message.RefusalReason.Transient)
	// at once, off the log (the old behaviour): a copy of the request
	// still in the network may be admitted by a later primary of the
	// epoch, after the administrator was told it is refused.
	RefusalOffTheLog bool
	// RefuseInProgress answers a RECONFIGURATION that reaches a primary
	// whose log ends with another, not yet executed, with RefuseInProgress
	// (the old behaviour) instead of leaving it unanswered: the one in the
	// log may never commit, and a later primary admit the refused one.
	RefuseInProgress bool
	// NewWitnessHolds counts a witness that a RECONFIGURATION adds among
	// the f'+1 voting members that take part in the new epoch at once
	// (core.Replica.stateHolders): it fetches no state, but it is a
	// joiner, which recovers once it joined like any new member.
	NewWitnessHolds bool
	// DemotedHolds counts a full replica that a RECONFIGURATION demotes to
	// a standby among the f'+1 voting members that take part in the new
	// epoch at once (core.Replica.stateHolders): it holds the state, but
	// it votes nowhere in the new epoch.
	DemotedHolds bool
	// EpochKeepsBackoff keeps the view-change timeout's doubling (failed
	// views in a row) as a replica enters a new epoch: after views that
	// failed in the old epoch, a new epoch whose view-0 primary is down
	// or lost its state waits up to 16 times the timeout before anyone
	// suspects it.
	EpochKeepsBackoff bool
	// OpAfterReconfig lets the primary append client ops after a
	// RECONFIGURATION in its epoch (no transitioning status).
	OpAfterReconfig bool
	// LeaseAcrossEpochs lets the primary that appended a RECONFIGURATION
	// keep answering reads under its lease after it executed it, in the
	// new epoch, whatever its role there.
	LeaseAcrossEpochs bool
	// WitnessMetadataOnly makes a witness keep only the metadata of the
	// entries it acknowledges (op, view, client, request number), not
	// their payloads, as a metadata-only witness would; its log then
	// cannot carry ops committed on the primary and witnesses alone.
	WitnessMetadataOnly bool
	// DeltaSkipsReplaced lets a checkpoint that replaces one never saved
	// (core.Checkpoint.Absorb) take over its predecessor's starting point
	// without its changes: a delta saved on top of the chain then misses
	// what changed between the two, and a replica that restores the chain
	// holds a state no other replica had.
	DeltaSkipsReplaced bool
	// InstallUnverified lets a fetched checkpoint be restored before its
	// assembled bytes are verified whole (core.Install.Run streams them
	// into the state machine at once): a chain whose records do not
	// follow each other fails only after the state was replaced.
	InstallUnverified bool
	// ExecuteWhileInstalling lets a replica execute and answer reads while
	// its driver restores a fetched checkpoint into the state machine off
	// the loop, as if the state machine were still its own.
	ExecuteWhileInstalling bool
	// TransferBeforeStartView makes a replica in view-change status that
	// receives a Prepare or Commit of the view it is changing to ask for
	// state at once (the old behaviour) instead of waiting a view-change
	// timeout for the StartView: with two lanes the StartView, on the bulk
	// lane, arrives after the primary's first Commits, and each transfer
	// answer adds another copy of the log to the same lane (profile
	// bandwidth).
	TransferBeforeStartView bool
	// ViewTimerIgnoresProgress is the view-change timer before it watched
	// the view change's progress (the old behaviour): the timeout doubles
	// only when the replica's own view change times out, not when it is
	// drawn into the next view while its view never proved itself; a
	// replica changing to view v times out although v's primary is
	// already normal in v (its Prepares and Commits reached it, its
	// StartView is still on the bulk lane); the primary of v times out
	// although a StartViewChange said a DoViewChange for v is on its
	// way; and a new primary whose StartView takes the bulk lane sends
	// no Commit after it. With logs of megabytes on slow links, a
	// DoViewChange and a StartView take longer than the base timeout
	// together, and views time out just before their StartView arrives
	// (profile bandwidth; docs/protocol.md, "View change").
	ViewTimerIgnoresProgress bool
	// RegisterReopensEvicted ignores the session identity a request
	// carries (the old behaviour): any session of the request's client id
	// takes it. A client's delayed Register then re-opens its evicted
	// session, and a retransmitted request executes a second time
	// (reconfig seed 1287; docs/protocol.md, "Client table").
	RegisterReopensEvicted bool
	// FetchPinned keeps a checkpoint fetch on the checkpoint it started
	// (the old behaviour): a replica asked for a chunk of a checkpoint it
	// no longer holds answers nothing (driver.Config.Plant gets it as
	// plant.Driver.ServeOnlyAsked), and the fetcher ignores the first
	// chunk of a newer one, nor continues in one (plant FetchRestarts's
	// rules are off with it too). Replicas keep their newest two checkpoints; a
	// fetch slower than two checkpoint intervals then waits a retry per
	// replica, one after the other, before it starts again (profile
	// bandwidth; docs/protocol.md, "State transfer").
	FetchPinned bool
	// FetchRestarts starts a checkpoint fetch over whenever the checkpoint
	// it fetches is replaced (the old behaviour): a replica asked for a
	// chunk of a checkpoint it replaced by a newer one of the same chain
	// answers with the newer one's first chunk rather than the asked
	// offset of it (driver.Config.Plant gets it as
	// plant.Driver.ServeNoContinuation), the fetcher takes no chunk that
	// continues its bytes in a newer checkpoint, and a stateless replica
	// whose log jumps past the checkpoint it fetches drops what it
	// assembled. Under load a fetch slower than a checkpoint interval
	// then never ends: a diskless replica restarted with 1 GB of state
	// fetched for minutes and never caught up (docs/protocol.md, "State
	// transfer").
	FetchRestarts bool
	// EpochCheckpointWhileInstalling offers the epoch's first checkpoint
	// to the driver again (it was not saved yet) while the driver
	// installs a fetched checkpoint over the state machine (the old
	// behaviour): the Output then carries a checkpoint taken from a state
	// the replica no longer owns (profile reconfig, seed 103262).
	EpochCheckpointWhileInstalling bool
	// AnswerEveryRepeat answers every repeat of a Recovery or GetState
	// with a new copy of its large answer (the old behaviour), however
	// recently the same answer to the same request left: on a slow link
	// the copies queue on the bulk lane faster than it drains them, and a
	// healed link that delivers the requests it held at once queues one
	// copy per request (profile bandwidth at 20 MiB/s; docs/protocol.md,
	// "Retransmissions").
	AnswerEveryRepeat bool
	// AskWhileArriving makes a normal backup that lacks ops of its own
	// view ask for them (GetState) at once, and again at every retry
	// while they arrive (the old behaviour), instead of only when none
	// arrived since it last looked: a Commit on the control lane
	// overtakes the Prepares on the bulk lane, and each NewState is one
	// more copy of them queued behind them (profile bandwidth at
	// 20 MiB/s; docs/protocol.md, "Lanes").
	AskWhileArriving bool
	// SingleLane is a bug of the simulator's network, not of the core:
	// links with a bandwidth carry every message in one FIFO (the old
	// model, one TCP connection per peer) instead of a control lane and
	// a bulk lane that share the link, so heartbeats and view-change
	// messages wait behind megabytes of entries and checkpoint chunks
	// (profile bandwidth; docs/protocol.md, "Lanes").
	SingleLane bool
	// DropEarlyPrepares makes a backup drop a Prepare whose ops start
	// after a gap (the old behaviour, the paper's) instead of holding it
	// until the Prepares before it arrive: a Prepare on the control lane
	// that overtakes a larger one on the bulk lane is lost, and the
	// backup waits for a retransmission or a state transfer
	// (docs/protocol.md, "Prepares out of order").
	DropEarlyPrepares bool
	// RetryAfterIdle leaves a caught-up backup's retransmission gap
	// running out while nothing is sent to it, so the next retry tick
	// after new entries leave resends them at once, however recently they
	// left (the old behaviour; core.Replica.restartIdleRetries).
	RetryAfterIdle bool
}

// WAL are deliberate bugs of the write-ahead log (package wal).
type WAL struct {
	// IgnoreSyncRecords writes no sync records and ignores the segments'
	// marks on replay, so any undecodable end of the last segment with
	// nothing valid after it is taken for a torn write, even when a
	// completed sync covered it (review finding B).
	IgnoreSyncRecords bool
	// IgnoreIOErrors carries on after a failed write or fsync as if it
	// had succeeded: the log goes on at the offset it meant to reach, and
	// Sync acknowledges groups that never reached the disk (an I/O error
	// must stop the replica instead: see docs/durability.md).
	IgnoreIOErrors bool
	// ShortReadIsEnd replays a segment whose read failed from the bytes
	// read before the error, as if the file ended there: the unread rest
	// is cut as a torn tail (a read error must refuse to open the log).
	ShortReadIsEnd bool
	// ZeroIsEnd takes a zero length field for the end of the log, as logs
	// whose segments are preallocated with zeros do: damage that starts
	// with zeros in the last segment is cut as an unwritten tail whatever
	// valid data follows it (a misdirected write leaves such a gap before
	// the data that landed too far).
	ZeroIsEnd bool
	// ZeroTailAnywhere takes zeros to the end of the last segment for the
	// unwritten rest of a prepared segment wherever they start, and the
	// file's size for the segment's, as if the zeros were records: synced
	// records lost as zeros below the newest mark (a lost write, a file
	// cut and extended again) are dropped as if never written.
	ZeroTailAnywhere bool
}

// Storage are deliberate bugs of durable storage (package storage).
type Storage struct {
	// TruncateBeforeCheckpoint drops the log up to a new checkpoint
	// before that checkpoint is durable.
	TruncateBeforeCheckpoint bool
	// RemoveCheckpointsInline removes stale checkpoint files on the
	// caller's goroutine even when Config.Discard is set (the old
	// behaviour: the node's loop unlinked GiB-sized bases itself).
	RemoveCheckpointsInline bool
	// DiscardAtRestart hands the checkpoint files of no chain found at a
	// restart to Config.Discard, which removes them in the background
	// (the old behaviour), instead of removing them before the replica
	// writes anything: a link the killed process wrote but never named is
	// written again under the same name and then removed.
	DiscardAtRestart bool
	WAL              WAL
}

// KV are deliberate bugs of the key-value store (package kv), planted
// through kv.Layout.Plant.
type KV struct {
	// FreeAtOnce drops a slab whose records all died at once, while the
	// notes of the changes since the last snapshot (the next delta) may
	// still name its records, instead of at the next safe point.
	FreeAtOnce bool
}

// Driver are deliberate bugs of the driver's loop (package driver).
type Driver struct {
	// SendBeforeDurable lets every message leave before the write it
	// depends on is durable.
	SendBeforeDurable bool
	// ClockOncePerDrain reads the clock once per batch of inputs instead
	// of before each (review finding C).
	ClockOncePerDrain bool
	// AckBeforeDurable tells the primary that its own copy of the
	// entries an Output carries is durable as soon as their Prepares
	// leave, before the write completes: its copy counts toward the
	// commit quorum too early, and the Commit numbers of its next
	// Prepares (which leave early) let backups execute an op that only f
	// disks hold.
	AckBeforeDurable bool
	// TimersBeforeInbox fires the timers that came due while the loop
	// stalled before the inputs queued meanwhile are read (issue 10's
	// amplifier): a backup that was merely slow times out although its
	// primary's Prepares and Commits are waiting in its inbox.
	TimersBeforeInbox bool
	// ServeOnlyAsked answers a GetCheckpoint for a checkpoint the replica
	// no longer holds with nothing, rather than with the first chunk of a
	// newer one in the asked range (the driver's half of
	// plant.Bugs.FetchPinned).
	ServeOnlyAsked bool
	// ServeNoContinuation answers a GetCheckpoint that resumes a fetch of
	// a checkpoint the replica replaced by a newer one of the same chain
	// with the newer one's first chunk (the driver's half of
	// plant.Bugs.FetchRestarts).
	ServeNoContinuation bool
	// DeltaFromOtherChain serves a GetCheckpoint that asks for the
	// records after the checkpoint at After from the record of After on
	// (the records after the link before it), as if the records after
	// any older link would do: the fetcher's chain and the served
	// records then do not join.
	DeltaFromOtherChain bool
	// RetainAppended keeps in the retained log (driver/retain.go) the
	// entries appended to the replica's log, not only those it executed,
	// and never replaces one: a view change that replaces an uncommitted
	// suffix leaves the old entries there, and a lagging backup that
	// catches up from them commits ops of another chain.
	RetainAppended bool
	// NeverAsked serves a GetCheckpoint without telling a lazy saver
	// (driver.Asked) that a peer wants one: a diskless replica's idle
	// saver never writes what it kept, and a peer that needs a checkpoint
	// gets none until a later one is taken and written for another
	// reason (never, in a lazy cluster).
	NeverAsked bool
}
