package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// replayAfterEviction plays reconfig seed 1287 at the primary: client 1
// registers and its request 2 executes; two other registrations evict its
// session (MaxSessions 2); then a delayed copy of its Register arrives,
// and then a retransmission of request 2. It returns how many times
// request 2 executed on each replica, and the status of the reply to the
// retransmission.
func replayAfterEviction(t *testing.T, bugs plant.Bugs) ([]int, message.ReplyStatus) {
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.MaxSessions = 2; cfg.Plant(bugs) })
	reg := &message.Request{ClientID: 1, RequestNum: 1, Kind: message.KindRegister}
	c.send(0, reg)
	first := c.sessions[1]
	if first != 1 {
		t.Fatalf("client 1's session is %d, want op 1", first)
	}
	old := &message.Request{ClientID: 1, RequestNum: 2, Session: first, Kind: message.KindApp, Payload: []byte("cas")}
	c.send(0, old)
	register(c, 0, 2)
	register(c, 0, 3) // evicts client 1, the least recently used
	if rep := c.lastReply(3); rep == nil || rep.Status != message.StatusOK {
		t.Fatalf("client 3's registration: %+v", rep)
	}
	c.send(0, reg) // the delayed copy: a new session for client 1
	if c.sessions[1] == first {
		t.Fatalf("the replayed Register kept session %d", first)
	}
	c.replies = nil
	c.send(0, old) // the retransmission, in the evicted session
	rep := c.lastReply(1)
	if rep == nil || rep.RequestNum != 2 {
		t.Fatalf("no reply to the retransmission: %+v", c.replies)
	}
	c.tick(3) // the commit-number reaches the backups
	runs := make([]int, 3)
	for i, sm := range c.sms {
		for _, op := range sm.ops {
			if string(op) == "cas" {
				runs[i]++
			}
		}
	}
	return runs, rep.Status
}

func TestReplayedRegisterCannotReopenEvictedSession(t *testing.T) {
	runs, st := replayAfterEviction(t, plant.Bugs{})
	if st != message.StatusSessionEvicted {
		t.Fatalf("retransmission answered with status %d, want StatusSessionEvicted", st)
	}
	for i, n := range runs {
		if n != 1 {
			t.Fatalf("replica %d executed request 2 %d times, want once", i, n)
		}
	}
}

// TestPlantRegisterReopensEvicted shows the check above can fail: with
// the old behaviour planted, the retransmission executes a second time.
func TestPlantRegisterReopensEvicted(t *testing.T) {
	runs, st := replayAfterEviction(t, plant.Bugs{RegisterReopensEvicted: true})
	if st != message.StatusOK || runs[0] != 2 {
		t.Fatalf("planted: status %d, request 2 executed %v times; want OK and twice", st, runs)
	}
}

// TestExecutionRefusesAnotherSession checks the rule where it is enforced
// last, at execution: a backup given a log in which a client's request
// follows a later Register of the same client (a copy of its first)
// refuses the request, and later requests of the new session run.
func TestExecutionRefusesAnotherSession(t *testing.T) {
	c := newClusterWith(t, 3, func(cfg *core.Config) { cfg.MaxSessions = 2 })
	entry := func(client, req, session uint64, kind message.RequestKind, payload string) message.Entry {
		return message.Entry{ClientID: client, RequestNum: req, Session: session, Kind: kind, Payload: []byte(payload)}
	}
	log := []message.Entry{
		entry(1, 1, 0, message.KindRegister, ""),
		entry(1, 2, 1, message.KindApp, "a"),
		entry(2, 1, 0, message.KindRegister, ""),
		entry(3, 1, 0, message.KindRegister, ""), // evicts client 1
		entry(1, 1, 0, message.KindRegister, ""), // session 5 for client 1
		entry(1, 2, 1, message.KindApp, "a"),     // session 1: refused
		entry(1, 3, 1, message.KindApp, "b"),     // session 1: refused
		entry(1, 4, 5, message.KindApp, "c"),     // session 5: runs
	}
	for i := range log {
		log[i].Op = uint64(i + 1)
	}
	c.replicas[1].Step(&message.Prepare{View: 0, Commit: uint64(len(log)), Entries: log})
	c.collect(1)
	if got := c.info(1).Executed; got != uint64(len(log)) {
		t.Fatalf("backup executed up to %d, want %d", got, len(log))
	}
	var ops []string
	for _, op := range c.sms[1].ops {
		ops = append(ops, string(op))
	}
	if len(ops) != 2 || ops[0] != "a" || ops[1] != "c" {
		t.Fatalf("backup applied %q, want [a c]", ops)
	}
}
