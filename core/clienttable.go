package core

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// session is one client's entry in the client table.
type session struct {
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

// register opens (or renews) a session for client at op, evicting the least
// recently used session when the table is full.
func (t *sessionTable) register(client uint64, op uint64) *session {
	if s := t.sessions[client]; s != nil {
		return s
	}
	if len(t.sessions) >= t.max {
		t.evictOldest()
	}
	s := &session{lastOp: op}
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
// state machine, at most once per client request.
func (r *Replica) executeEntry(e message.Entry) (message.ReplyStatus, []byte) {
	r.assertNotWitness("execute")
	s := r.sessions.get(e.ClientID)
	switch {
	case e.Kind == message.KindRegister:
		s = r.sessions.register(e.ClientID, e.Op)
		if e.RequestNum <= s.lastRequest {
			return s.status, s.result // a duplicate register: nothing new
		}
		s.lastRequest, s.status, s.result, s.lastOp = e.RequestNum, message.StatusOK, nil, e.Op
		return message.StatusOK, nil
	case s == nil:
		return message.StatusSessionEvicted, nil
	case e.RequestNum <= s.lastRequest:
		return s.status, s.result // executed before: never twice
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
