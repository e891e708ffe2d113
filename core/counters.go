package core

// Counters count protocol events since the replica was created (not
// durable: a restart starts them at zero, as monitoring counters do).
type Counters struct {
	// ViewChanges counts view changes this replica started or joined.
	ViewChanges uint64
	// Recoveries counts runs of the recovery protocol (including the
	// NewCluster handshake).
	Recoveries uint64
	// StateTransfers counts NewState messages that brought the log up to
	// date.
	StateTransfers uint64
	// LogCatchUps counts state transfers that caught up from a peer's
	// retained log (GetLog) instead of fetching a checkpoint.
	LogCatchUps uint64
	// LogEntriesFetched counts the entries those transfers appended.
	LogEntriesFetched uint64
	// LogFetchesFailed counts catch-ups from a retained log given up (the
	// source held none of the entries, or did not answer): the backup
	// then jumps and fetches a checkpoint.
	LogFetchesFailed uint64
	// CheckpointFetches counts checkpoints fetched from a peer and
	// installed.
	CheckpointFetches uint64
	// SessionEvictions counts client sessions evicted from a full client
	// table.
	SessionEvictions uint64
	// Sessions is the number of client sessions in the table now.
	Sessions int
	// AnswersWithheld counts large answers (a RecoveryResponse with the
	// log, a NewState) not sent to a repeated request because the same
	// answer to the same request left a moment before (answers.go).
	AnswersWithheld uint64
	// PreparesHeld counts Prepares a backup received after a gap (a later
	// Prepare overtook an earlier one on another lane) and held until the
	// gap filled, instead of dropping them (early.go).
	PreparesHeld uint64
}
