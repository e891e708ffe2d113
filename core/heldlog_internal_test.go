package core

import (
	"testing"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// heldLogReplica returns replica idx of 3 whose log holds ops 1..top of
// view 0, with executed and commit as given.
func heldLogReplica(t *testing.T, idx int, top, executed, commit uint64, bugs plant.Bugs) *Replica {
	t.Helper()
	cfg := Config{ReplicaCount: 3, Index: idx}
	cfg.Plant(bugs)
	r, err := New(cfg, nopMachine{})
	if err != nil {
		t.Fatal(err)
	}
	r.log = viewLog(1, top)
	r.recountLog()
	r.executed, r.commit = executed, commit
	return r
}

// viewLog returns the entries from..to of view 0, one client request each.
func viewLog(from, to uint64) []message.Entry {
	var es []message.Entry
	for op := from; op <= to; op++ {
		es = append(es, message.Entry{Op: op, ClientID: 7, RequestNum: op, Payload: []byte{byte(op)}})
	}
	return es
}

// TestAdoptKeepsHeldOps: a replica that executed 99 and holds ops up to
// 101 adopts a log whose base is 100 (the ops after it: 101). It keeps its
// own op 100, raises its commit-number to the base, and needs no
// checkpoint. With the plant it jumps and waits for one.
func TestAdoptKeepsHeldOps(t *testing.T) {
	for _, planted := range []bool{false, true} {
		r := heldLogReplica(t, 2, 101, 99, 99, plant.Bugs{JumpOverHeldLog: planted})
		r.adoptLog(100, viewLog(101, 101))
		if planted {
			if !r.needsCheckpoint() || r.base != 100 {
				t.Fatalf("planted: base %d executed %d, want a jump to 100", r.base, r.executed)
			}
			continue
		}
		if r.needsCheckpoint() || r.base != 0 || r.op() != 101 || r.commit != 100 {
			t.Fatalf("base %d op %d commit %d executed %d: want the held ops kept, commit 100",
				r.base, r.op(), r.commit, r.executed)
		}
	}
}

// TestAdoptJumpsWithoutProof: the same replica, but its entry after the
// base differs from the adopted log's (another view's op): it must jump,
// since nothing proves that its ops up to the base are the committed ones.
func TestAdoptJumpsWithoutProof(t *testing.T) {
	r := heldLogReplica(t, 2, 101, 99, 99, plant.Bugs{})
	other := viewLog(101, 101)
	other[0].View = 1
	r.adoptLog(100, other)
	if !r.needsCheckpoint() || r.base != 100 {
		t.Fatalf("base %d executed %d: want a jump to 100", r.base, r.executed)
	}
}

// TestNewPrimaryFillsFromDoViewChange: a new primary whose chosen log
// starts at 100 above its executed 87 takes ops 88..100 from a
// DoViewChange of the same last normal view that holds them.
func TestNewPrimaryFillsFromDoViewChange(t *testing.T) {
	for _, planted := range []bool{false, true} {
		r := heldLogReplica(t, 1, 0, 87, 101, plant.Bugs{JumpOverHeldLog: planted})
		r.base, r.log = 100, viewLog(101, 101)
		r.recountLog()
		best := &message.DoViewChange{View: 7, LastNormalView: 6, Op: 101, Commit: 101, Replica: 1, Log: viewLog(101, 101)}
		lender := &message.DoViewChange{View: 7, LastNormalView: 6, Op: 101, Commit: 99, Replica: 2, Log: viewLog(75, 101)}
		r.vc.dvc[1], r.vc.dvc[2] = best, lender
		r.fillFromDoViewChanges(best)
		if planted {
			if !r.needsCheckpoint() {
				t.Fatal("planted: the new primary filled its log")
			}
			continue
		}
		if r.needsCheckpoint() || r.base != 87 || r.op() != 101 || !sameEntry(r.at(88), viewLog(88, 88)[0]) {
			t.Fatalf("base %d op %d executed %d: want ops 88..101 from the DoViewChange", r.base, r.op(), r.executed)
		}
		if !r.logReset || r.logDirtyFrom != 88 {
			t.Fatalf("log reset %v from %d: the prepended ops must be persisted", r.logReset, r.logDirtyFrom)
		}
	}
}
