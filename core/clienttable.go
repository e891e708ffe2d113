package core

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// session is one client's entry in the client table.
type session struct {
	// id is the session's identity: the op-number of the Register that
	// opened it. Every request of the session carries it
	// (message.Request.Session); one that carries another is refused.
	id          uint64
	lastRequest uint64
	status      message.ReplyStatus
	result      []byte
	lastOp      uint64 // op-number of the last request executed; orders eviction
}

// sessionTable is the paper's client table, bounded to max sessions. It is
// changed only by executing committed operations, so every replica holds the
// same table after the same op, and evicts the same sessions.
type sessionTable struct {
	max       int
	sessions  map[uint64]*session
	evictions uint64 // sessions evicted so far (monitoring)
}

func newSessionTable(max int) sessionTable {
	return sessionTable{max: max, sessions: make(map[uint64]*session)}
}

func (t *sessionTable) get(client uint64) *session { return t.sessions[client] }

func (t *sessionTable) len() int { return len(t.sessions) }

// open opens a new session for client, whose Register executes at op: it
// replaces the client's session if it has one (a new identity: requests
// of the old one are refused from now on), and otherwise evicts the least
// recently used session when the table is full.
func (t *sessionTable) open(client uint64, op uint64) *session {
	if op == 0 {
		panic("core: a session opened at op 0")
	}
	if t.sessions[client] == nil && len(t.sessions) >= t.max {
		t.evictOldest()
	}
	s := &session{id: op, lastOp: op}
	t.sessions[client] = s
	return s
}

// evictOldest removes the session whose last executed op is smallest. Op
// numbers are unique, so the choice is the same on every replica.
func (t *sessionTable) evictOldest() {
	var victim uint64
	var oldest *session
	for id, s := range t.sessions {
		if oldest == nil || s.lastOp < oldest.lastOp {
			victim, oldest = id, s
		}
	}
	delete(t.sessions, victim)
	t.evictions++
}

// execute runs every committed entry that has not been executed yet.
func (r *Replica) execute() {
	if r.commit > r.op() {
		panic(fmt.Sprintf("core: commit %d beyond op %d", r.commit, r.op()))
	}
	if r.needsCheckpoint() || r.witness || r.noExec {
		return // the state at base comes first (checkpointfetch.go); a witness has none
	}
	if n := int(r.commit - r.executed); n > 0 {
		// Room for the batch at once (allocation, not behaviour).
		r.out.Applied = slices.Grow(r.out.Applied, n)
	}
	for r.executed < r.commit {
		e := r.at(r.executed + 1)
		r.executed++
		r.sinceCkpt += e.Size()
		st, result := r.executeEntry(e)
		r.reconfigAt = e.Kind == message.KindReconfigure
		r.out.Applied = append(r.out.Applied, Applied{Entry: e, Status: st, Result: result})
		if r.inflight[e.ClientID] == e.RequestNum {
			delete(r.inflight, e.ClientID)
		}
		if r.status == StatusNormal && r.isPrimary() {
			r.reply(e.ClientID, e.RequestNum, st, result)
		}
		r.maybeCheckpoint()
		r.reconfigAt = false
		r.keepEpochCheckpoint()
		r.finishMove() // after a RECONFIGURATION: its checkpoint is taken
	}
}

// executeEntry applies one committed entry to the client table and the
// state machine, at most once per client request: a request runs only in
// the session it was sent in, and only if it is newer than the session's
// last.
func (r *Replica) executeEntry(e message.Entry) (message.ReplyStatus, []byte) {
	r.assertNotWitness("execute")
	s := r.sessions.get(e.ClientID)
	switch {
	case e.Kind == message.KindRegister:
		return r.executeRegister(e, s)
	case !r.inSession(s, e.Session):
		// The session was evicted, or replaced by a later Register (a
		// copy of an old one, perhaps): never run the request in another.
		return message.StatusSessionEvicted, nil
	case e.RequestNum <= s.lastRequest:
		return s.status, s.result // executed before: never twice
	}
	if e.Kind == message.KindRefusal {
		// A RECONFIGURATION the primary refused (admitRequest): every copy
		// of the request is answered with the refusal from now on.
		result := slices.Clone(e.Payload)
		s.lastRequest, s.status, s.result, s.lastOp = e.RequestNum, message.StatusRefused, result, e.Op
		return message.StatusRefused, result
	}
	if e.Kind == message.KindReconfigure {
		r.executeReconfig(e) // the state machine never sees it
		s.lastRequest, s.status, s.result, s.lastOp = e.RequestNum, message.StatusOK, nil, e.Op
		return message.StatusOK, nil
	}
	result := r.sm.Apply(e.Op, e.Payload)
	s.lastRequest, s.status, s.result, s.lastOp = e.RequestNum, message.StatusOK, result, e.Op
	return message.StatusOK, result
}

// executeRegister opens a session whose identity is the Register's op
// (its result, message.EncodeSession), unless the Register is not newer
// than the client's session's last request (a duplicate: nothing new). A
// copy of a Register that arrives after its session was evicted opens a
// new session that no request of the old one can use.
func (r *Replica) executeRegister(e message.Entry, s *session) (message.ReplyStatus, []byte) {
	if s != nil && e.RequestNum <= s.lastRequest {
		return s.status, s.result
	}
	s = r.sessions.open(e.ClientID, e.Op)
	s.lastRequest, s.status, s.result = e.RequestNum, message.StatusOK, message.EncodeSession(e.Op)
	return message.StatusOK, s.result
}

// inSession reports whether a request that carries the session identity
// id belongs to s, the live session of its client (nil: none).
func (r *Replica) inSession(s *session, id uint64) bool {
	if s == nil {
		return false
	}
	return s.id == id || r.cfg.bugs.RegisterReopensEvicted
}
