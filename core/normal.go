package core

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// primaryState is what a primary tracks about its backups in the current
// view.
type primaryState struct {
	acked    []uint64   // highest op each replica acknowledged in this view
	heard    []uint64   // tick each replica was last heard from
	joined   []bool     // replicas that acknowledged this view (see started)
	prepared uint64     // highest op broadcast in a Prepare
	retry    []retryGap // per backup: when unacknowledged entries go again
	saved    []uint64   // newest saved checkpoint each backup reported
	// ackCommit is the highest commit-number reached in this view by
	// counting acknowledgements (Info.AckCommit).
	ackCommit uint64
	votes     []uint64 // scratch: the voting members' acked (advanceCommit)
}

func (p *primaryState) init(n int) {
	p.acked = make([]uint64, n)
	p.saved = make([]uint64, n)
	p.heard = make([]uint64, n)
	p.joined = make([]bool, n)
	p.retry = make([]retryGap, n)
	p.ackCommit = 0
}

// becomePrimary resets the primary's bookkeeping at the start of its view.
func (r *Replica) becomePrimary() {
	for i := range r.primary.acked {
		r.primary.acked[i] = 0
		r.primary.heard[i] = r.now
		r.restartRetry(&r.primary.retry[i])
	}
	r.primary.acked[r.index] = 0
	clear(r.primary.saved)
	clear(r.primary.joined)
	r.primary.joined[r.index] = true
	r.primary.prepared = r.op()
	r.primary.ackCommit = 0
	clear(r.lease.acks)
	r.lease.viewStartOp = r.op()
	r.countOwnCopy()
	r.timers.lastHeartbeat = r.now
	r.rebuildInflight()
}

// rebuildInflight records the requests in the log that are not yet executed.
func (r *Replica) rebuildInflight() {
	clear(r.inflight)
	for _, e := range r.log[max(r.executed, r.base)-r.base:] {
		r.inflight[e.ClientID] = e.RequestNum
	}
}

// onRequest handles a client request at the primary.
func (r *Replica) onRequest(m *message.Request) {
	if r.witness {
		return // no state to read or to execute on: the client asks elsewhere
	}
	if (m.Kind == message.KindRead || m.Kind == message.KindStaleRead) && r.onRead(m) {
		return
	}
	if r.status != StatusNormal || !r.isPrimary() || r.needsCheckpoint() {
		// The client's proxy retries and broadcasts. A primary still
		// fetching a checkpoint cannot consult the client table yet.
		return
	}
	if !m.Kind.Valid() || len(m.Payload) > r.cfg.MaxRequestBytes {
		r.reply(m.ClientID, m.RequestNum, message.StatusRejected, nil)
		return
	}
	if !r.started() {
		return // the client retries once every replica has joined
	}
	if _, ok := r.inflight[m.ClientID]; ok {
		// This request, or the one before it, is in the log and not yet
		// executed here (after a view change a committed op may still wait
		// for the commit-number to catch up). Its reply follows its commit;
		// the client retries anything newer.
		return
	}
	s := r.sessions.get(m.ClientID)
	switch {
	case m.Kind != message.KindRegister && !r.inSession(s, m.Session):
		// No session, or not the one the request was sent in (checked
		// again at execution): a client that registers again gets a new
		// one.
		r.reply(m.ClientID, m.RequestNum, message.StatusSessionEvicted, nil)
		return
	case s != nil && m.RequestNum < s.lastRequest:
		return // older than the latest: drop
	case s != nil && m.RequestNum == s.lastRequest:
		r.reply(m.ClientID, m.RequestNum, s.status, s.result)
		return
	}
	if !r.admitRequest(m) {
		return
	}
	r.appendRequest(m, m.Kind, m.Payload)
}

// appendRequest appends the client request m to the log as an entry of
// kind with payload (the request's own, or a refusal in its place).
func (r *Replica) appendRequest(m *message.Request, kind message.RequestKind, payload []byte) {
	e := message.Entry{
		Op: r.op() + 1, View: r.view, ClientID: m.ClientID,
		RequestNum: m.RequestNum, Session: m.Session, Kind: kind, Payload: payload,
	}
	if !r.hasRoom(e.Size()) {
		return // the log is full of ops not yet executed; the client retries
	}
	r.appendEntry(e)
	r.inflight[m.ClientID] = m.RequestNum
	r.countOwnCopy()
}

func (r *Replica) reply(client, reqNum uint64, st message.ReplyStatus, result []byte) {
	if !r.witnessBugs() {
		r.assertNotWitness("reply to a client")
	}
	r.out.Replies = append(r.out.Replies, &message.Reply{
		Epoch: r.members.Epoch, View: r.view, ClientID: client, RequestNum: reqNum,
		Replica: r.id, Status: st, Result: result,
	})
}

// ack asks for one PrepareOK to the primary at the next Output. Acks are
// cumulative, so one message covers every Prepare stepped since the last
// Output: a backup acknowledges in batches.
func (r *Replica) ack() { r.ackPending = true }

// flush sends the pending acknowledgement (backups), or Prepares for the
// entries appended since the last Output, batched (primary).
func (r *Replica) flush() {
	if r.ackPending && r.status == StatusNormal && !r.isPrimary() {
		r.send(r.primaryOf(r.view), &message.PrepareOK{View: r.view, Op: r.op(), Replica: r.id, Echo: r.lease.echo, Saved: r.saved[0]})
	}
	r.ackPending = false
	if r.status != StatusNormal || !r.isPrimary() {
		return
	}
	if r.primary.prepared < r.op() {
		r.restartIdleRetries()
	}
	for r.primary.prepared < r.op() {
		batch := r.entries(r.primary.prepared, r.op())
		p := &message.Prepare{View: r.view, Commit: r.commit, Sent: r.now, LogBase: r.base, Entries: batch}
		r.broadcast(p)
		r.primary.prepared += uint64(len(batch))
		if message.LaneOf(p) == message.LaneControl {
			// A Prepare on the bulk lane may arrive long after the
			// Commits that follow it: it is no heartbeat.
			r.timers.lastHeartbeat = r.now
		}
	}
}

// restartIdleRetries restarts the retransmission gap of each backup that
// acknowledged everything sent so far, as new entries leave for it: their
// retransmission is due RetryTicks after they were sent. A gap left to
// run out while the backup was caught up made the next retry tick resend
// entries sent a moment before, or not yet sent (the timers fire before
// the Output's Prepares are built): every first Prepare after an idle
// spell went twice, in the simulator's fault-free profile lanes (plant
// retry-after-idle).
func (r *Replica) restartIdleRetries() {
	if r.cfg.bugs.RetryAfterIdle {
		return
	}
	for b, acked := range r.primary.acked {
		if b != r.index && acked >= r.primary.prepared {
			r.restartRetry(&r.primary.retry[b])
		}
	}
}

// onPrepare handles a Prepare at a backup.
func (r *Replica) onPrepare(m *message.Prepare) {
	if !r.acceptFromPrimary(m.View) {
		return
	}
	r.grantLease(m.Sent)
	commit := m.Commit
	for p := m; p != nil; p = r.takeEarly() {
		r.appendPrepared(p)
		commit = max(commit, p.Commit)
	}
	r.ack()
	r.learnCommitLater(commit)
	r.proveViewAtBackup()
}

// appendPrepared appends the entries of m, a Prepare of the backup's view,
// that continue its log. One whose new entries start after a gap is held
// until the gap fills (early.go); the gap is noted either way, so that a
// Prepare lost for good is fetched.
func (r *Replica) appendPrepared(m *message.Prepare) {
	r.followBase(m.LogBase, m.Commit) // first, to make room
	for _, e := range m.Entries {
		if e.Op <= r.op() {
			continue // already held: same view, so the same entry
		}
		if e.Op != r.op()+1 {
			r.holdEarly(m)
			r.requestMissing(m.Entries[len(m.Entries)-1].Op)
			break
		}
		if !r.hasRoom(e.Size()) {
			break // the primary sends the rest again once there is room
		}
		r.appendEntry(r.plantedWitnessCopy(e))
	}
	r.followBase(m.LogBase, m.Commit) // again, over the entries just appended
}

// onCommit handles the primary's Commit (heartbeat) at a backup.
func (r *Replica) onCommit(m *message.Commit) {
	if !r.acceptFromPrimary(m.View) {
		return
	}
	r.grantLease(m.Sent)
	r.followBase(m.LogBase, m.Commit)
	// The acknowledgement doubles as the backup's heartbeat to the primary.
	r.ack()
	r.learnCommitLater(m.Commit)
	r.proveViewAtBackup()
}

// acceptFromPrimary decides what to do with a Prepare or Commit of view v.
// It returns true when the message belongs to this backup's current normal
// view; otherwise it may start state transfer to learn view v.
func (r *Replica) acceptFromPrimary(v uint64) bool {
	switch {
	case r.status == StatusRecovering:
		return false
	case r.status == StatusNormal && v == r.view:
		if r.isPrimary() {
			return false // another replica cannot be primary of our view
		}
		r.heardFromPrimary()
		return true
	case r.status == StatusNormal && v < r.view:
		// A stale primary. The current primary tells it about the view.
		if r.isPrimary() && r.primaryOf(v) != r.index {
			r.send(r.primaryOf(v), &message.Commit{View: r.view, Commit: r.commit})
		}
		return false
	}
	// A newer view, or our current view while we are in view change, or an
	// older view that is still serving while our own view change stalled.
	r.learnView(v)
	return false
}

// learnCommit advances the commit-number from the primary's and executes.
func (r *Replica) learnCommit(c uint64) {
	r.learnCommitLater(c)
	r.executeDue()
}

// onPrepareOK counts a backup's cumulative acknowledgement at the primary.
func (r *Replica) onPrepareOK(m *message.PrepareOK) {
	from := r.members.IndexOf(m.Replica)
	if from < 0 || from == r.index {
		return
	}
	if r.status == StatusNormal && r.isPrimary() && m.View < r.view {
		r.send(from, &message.Commit{View: r.view, Commit: r.commit})
		return
	}
	if r.status != StatusNormal || !r.isPrimary() || m.View != r.view {
		return
	}
	if m.Op > r.op() {
		panic(fmt.Sprintf("core: backup %d acked op %d beyond primary op %d in view %d", from, m.Op, r.op(), r.view))
	}
	r.primary.heard[from] = r.now
	r.primary.joined[from] = true
	r.noteSaved(from, m.Saved)
	if r.joinedCount() > r.f {
		r.viewProven()
	}
	if r.members.Votes(from) {
		r.onLeaseEcho(from, m.Echo) // a standby's promise blocks no view change
	}
	if m.Op > r.primary.acked[from] {
		r.primary.acked[from] = m.Op
		r.restartRetry(&r.primary.retry[from])
		r.advanceCommit()
	}
}

// joinedCount is the number of voting replicas, the primary included,
// that acknowledged in the primary's view.
func (r *Replica) joinedCount() int {
	n := 0
	for i, ok := range r.primary.joined {
		if ok && r.members.Votes(i) {
			n++
		}
	}
	return n
}

// advanceCommit commits the highest op held by a quorum (f+1 voting
// members, the primary included; standbys never count) and executes it.
func (r *Replica) advanceCommit() {
	need := r.f + 1
	if r.cfg.bugs.CommitOneShort {
		need--
	}
	votes := r.primary.acked
	if !r.cfg.bugs.StandbyInQuorum {
		votes = r.primary.votes[:0]
		for i, a := range r.primary.acked {
			if r.members.Votes(i) {
				votes = append(votes, a)
			}
		}
		r.primary.votes = votes
	}
	c := kthLargest(votes, need)
	if c > r.commit {
		r.commit = c
		r.primary.ackCommit = c
		r.execute()
	}
}

// ackedNow reports the primary's acknowledgements and the commit-number
// they reached for Info (nil and 0 at any other replica). The slice is the
// replica's own, as Info's Members are: read it before the next Step or
// Tick.
func (r *Replica) ackedNow() ([]uint64, uint64) {
	if r.status != StatusNormal || !r.isPrimary() {
		return nil, 0
	}
	return r.primary.acked[:len(r.primary.acked):len(r.primary.acked)], r.primary.ackCommit
}

// kthLargest returns the k-th largest value of xs (k >= 1), or 0.
func kthLargest(xs []uint64, k int) uint64 {
	if k < 1 {
		k = 1
	}
	var best uint64
	for _, cand := range xs {
		count := 0
		for _, x := range xs {
			if x >= cand {
				count++
			}
		}
		if count >= k && cand > best {
			best = cand
		}
	}
	return best
}

// tickPrimary sends heartbeats, retransmits unacknowledged Prepares and
// steps down when it no longer hears from a quorum.
func (r *Replica) tickPrimary() {
	if r.now-r.timers.lastHeartbeat >= uint64(r.cfg.HeartbeatTicks) {
		r.broadcast(&message.Commit{View: r.view, Commit: r.commit, Sent: r.now, LogBase: r.base})
		r.timers.lastHeartbeat = r.now
	}
	if r.retryDue() {
		// Entries after prepared have not left yet: flush sends them.
		sent := r.primary.prepared
		if r.cfg.bugs.RetryAfterIdle {
			sent = r.op()
		}
		for b, acked := range r.primary.acked {
			if b != r.index && acked < sent && r.retryAgain(&r.primary.retry[b]) {
				batch := r.entries(acked, sent)
				r.send(b, &message.Prepare{View: r.view, Commit: r.commit, Sent: r.now, LogBase: r.base, Entries: batch})
			}
		}
	}
	if !r.primaryHasQuorumContact() {
		r.startViewChange(r.view + 1)
	}
}

// primaryHasQuorumContact reports whether f voting backups were heard from
// within the view-change timeout.
func (r *Replica) primaryHasQuorumContact() bool {
	heard := 0
	for b, t := range r.primary.heard {
		if b != r.index && r.members.Votes(b) && r.now-t < r.timers.viewTimeout {
			heard++
		}
	}
	return heard >= r.f
}

// tickBackup suspects the primary after the jittered timeout and retries
// outstanding state transfer. A standby suspects nobody: it takes no part
// in view changes and learns the next view from its StartView, Prepares
// or Commits.
func (r *Replica) tickBackup() {
	if (r.now-r.timers.lastContact >= r.timers.viewTimeout || r.primaryLost()) && !r.standby {
		r.startViewChange(r.view + 1)
		return
	}
	r.tickTransfer()
}

// started reports whether the primary may append client requests. A
// cluster whose log never held an op starts only once every voting replica
// has acknowledged the current view (a standby that is late recovers as
// a replica that lost its state does, and counts in no quorum): until then every replica holds nothing, so
// a replica still in its first handshake (NewCluster) always finds a
// cluster it can join as an empty member, instead of one whose state it
// would have to recover from f+1 others (see docs/protocol.md, "First
// start"). Once the log holds an op this never applies again.
func (r *Replica) started() bool {
	if r.op() > 0 || r.base > 0 || r.cfg.bugs.NoStartGate {
		return true
	}
	for i, ok := range r.primary.joined {
		if !ok && r.members.Votes(i) {
			return false
		}
	}
	return true
}
