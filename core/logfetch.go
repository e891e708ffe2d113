package core

import "github.com/vr-go/vr/message"

// Catching up from the retained log (issue 10). A backup whose log ends
// below its state source's log base used to jump to that base and fetch a
// whole checkpoint chain: with a log bounded to one message (bounds.go), a
// stall of a second under load did that, and the chain is as large as the
// state. The drivers keep a bounded run of the committed entries they
// executed beyond the core's log (driver/retain.go). With
// Config.FetchLog, such a backup first asks the NewState's sender for the
// entries it misses (GetLog), in chunks no larger than the room in its
// log, appends them in order and commits them (every entry a driver
// retains was executed there, so it is committed), and asks for the state
// again once it reached the base it saw. A source that retains none of
// them answers an empty LogChunk, and the backup jumps as before. See
// docs/protocol.md, "Catching up from the retained log".

// maxLogAttempts is how many GetLogs without an answer a backup sends
// before it gives up on the retained log and jumps; their spacing doubles
// (retrygap.go), so that is about a second with the defaults.
const maxLogAttempts = 4

// logChunkBytes is how many bytes of entries a backup asks for at a
// time: an eighth of a message (4 MiB with the defaults), and at least
// the largest entry. A chunk as large as the log (tens of MiB) takes
// longer to build, send and decode on a loaded machine than a retry, and
// smaller chunks keep the backup's steps short.
func (c *Config) logChunkBytes() int { return max(c.maxEntryBytes(), c.MaxMessageBytes/8) }

// logFetch is the part of a state transfer that fetches retained entries.
type logFetch struct {
	upto     uint64 // the source's log base the backup must reach (0: no fetch)
	src      int    // the replica asked (index)
	attempts int    // GetLogs sent without progress
	waiting  bool   // no room in the log: asks again after a save
	failed   bool   // the source retains nothing useful: jump (this transfer)
}

// fetchLogTo starts fetching the retained entries up to upto from the
// NewState's sender, when the backup's log ends below upto. It reports
// false when the backup should jump instead.
func (r *Replica) fetchLogTo(m *message.NewState, upto uint64) bool {
	if !r.cfg.FetchLog || r.st.log.failed || r.witness || r.needsCheckpoint() || upto <= r.op() {
		return false
	}
	src := r.members.IndexOf(m.Replica)
	if src < 0 || src == r.index {
		return false
	}
	r.st.log = logFetch{upto: upto, src: src}
	r.restartRetry(&r.st.retry)
	r.sendGetLog()
	return true
}

// sendGetLog asks the source for the entries after the log's end, as many
// as the log has room for. Without room for the largest entry it waits
// for a checkpoint save (CheckpointSaved) or the next retry: a source
// answers nothing but whole entries, and an empty answer means it has
// none. Retries without progress are spaced out (retrygap.go): each
// answer may carry megabytes.
func (r *Replica) sendGetLog() {
	lf := &r.st.log
	r.st.lastSent = r.now
	if !r.hasRoom(r.cfg.maxEntryBytes()) {
		lf.waiting = true
		return
	}
	lf.waiting = false
	room := min(r.cfg.logLimit()-r.logBytes, r.cfg.logChunkBytes())
	r.send(lf.src, &message.GetLog{Replica: r.id, Op: r.op(), MaxBytes: uint64(room)})
}

// onLogChunk appends the retained entries a source sent and commits them.
func (r *Replica) onLogChunk(m *message.LogChunk) {
	lf := &r.st.log
	if !r.st.active || !r.st.sameView || lf.upto == 0 || r.status != StatusNormal || r.isPrimary() ||
		r.st.view != r.view || m.From != r.op() || r.members.IndexOf(m.Replica) != lf.src {
		return
	}
	if len(m.Entries) == 0 || m.Entries[0].Op != m.From+1 {
		r.logFetchFailed()
		return
	}
	before := r.op()
	r.appendFrom(m.Entries)
	if r.op() > before {
		lf.attempts = 0
		r.restartRetry(&r.st.retry)
		r.counters.LogEntriesFetched += r.op() - before
		// The log up to before is a prefix of this view's log and lies
		// below the source's base; the rest was executed at the source.
		r.learnCommit(r.op())
	}
	if r.op() >= lf.upto {
		upto := lf.upto
		r.counters.LogCatchUps++
		r.st.reset()
		r.ack()
		// The entries after the source's base, as usual, but asked for at
		// once: nothing sends them by themselves (requestMissing would
		// wait a retry for them to arrive).
		r.requestMissing(upto + 1)
		if r.st.active && r.st.sameView {
			r.sendGetState()
		}
		return
	}
	if r.op() > before {
		r.sendGetLog()
	}
}

// logFetchFailed gives up on the retained log for this transfer: the
// backup asks for the state again, and jumps to the answer's base.
func (r *Replica) logFetchFailed() {
	r.counters.LogFetchesFailed++
	r.st.log = logFetch{failed: true}
	r.sendGetState()
}

// tickLogFetch retries an outstanding GetLog; it reports whether a log
// fetch is under way (tickTransfer then does nothing else).
func (r *Replica) tickLogFetch() bool {
	lf := &r.st.log
	if lf.upto == 0 {
		return false
	}
	if !lf.waiting {
		lf.attempts++
	}
	if lf.attempts > maxLogAttempts {
		r.logFetchFailed()
		return true
	}
	r.sendGetLog()
	return true
}

// resumeLogFetch asks again for retained entries once a save made room.
func (r *Replica) resumeLogFetch() {
	if r.st.active && r.st.log.upto != 0 && r.st.log.waiting {
		r.sendGetLog()
	}
}
