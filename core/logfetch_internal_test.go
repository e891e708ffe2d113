package core

import (
	"testing"

	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// lagger returns backup 1 of 3, normal in view 0, that holds and executed
// ops 1..3, with FetchLog as given, and drains its output.
func lagger(t *testing.T, fetchLog bool) *Replica {
	t.Helper()
	r := heldLogReplica(t, 1, 3, 3, 3, plant.Bugs{})
	r.cfg.FetchLog = fetchLog
	r.Output()
	return r
}

// sentOf returns the messages of type T in out, in order.
func sentOf[T message.Message](out Output) []T {
	var ms []T
	for _, env := range out.Messages {
		if m, ok := env.Msg.(T); ok {
			ms = append(ms, m)
		}
	}
	return ms
}

// askFor makes r ask for the state and answers with a NewState from
// replica 0 whose log starts at base 15 (ops 16..20, all committed).
func askFor(t *testing.T, r *Replica) Output {
	t.Helper()
	r.requestMissing(20) // waits a retry for the ops to arrive; ask now
	r.sendGetState()
	gs := sentOf[*message.GetState](r.Output())
	if len(gs) != 1 {
		t.Fatalf("sent %d GetStates, want 1", len(gs))
	}
	r.Step(&message.NewState{View: 0, Op: 20, Commit: 20, Replica: 0, From: gs[0].Op, Entries: viewLog(16, 20)})
	return r.Output()
}

// TestLaggingBackupFetchesRetainedLog: a backup whose log ends at 3 below
// its source's base 15 asks the source for the retained entries after 3
// instead of jumping, appends and executes each chunk in order, asks for
// the next from where it got to, and once it reached 15 asks for the state
// again as usual; it never needs a checkpoint.
func TestLaggingBackupFetchesRetainedLog(t *testing.T) {
	r := lagger(t, true)
	out := askFor(t, r)
	gl := sentOf[*message.GetLog](out)
	if len(gl) != 1 || gl[0].Op != 3 || gl[0].MaxBytes == 0 || out.Messages[0].To != 0 || r.base != 0 {
		t.Fatalf("after the NewState: GetLogs %+v to %d, base %d; want one GetLog after 3 to replica 0 and no jump", gl, out.Messages[0].To, r.base)
	}
	r.Step(&message.LogChunk{Replica: 0, From: 3, Entries: viewLog(4, 10)})
	out = r.Output()
	if gl = sentOf[*message.GetLog](out); len(gl) != 1 || gl[0].Op != 10 || r.executed != 10 || r.commit != 10 {
		t.Fatalf("after the first chunk: GetLogs %+v, executed %d commit %d; want the next after 10, 10 executed", gl, r.executed, r.commit)
	}
	r.Step(&message.LogChunk{Replica: 0, From: 3, Entries: viewLog(4, 10)}) // a duplicate: ignored
	r.Step(&message.LogChunk{Replica: 0, From: 10, Entries: viewLog(11, 15)})
	out = r.Output()
	gs := sentOf[*message.GetState](out)
	if len(gs) != 1 || gs[0].Op != 15 || r.executed != 15 || r.needsCheckpoint() || r.counters.LogCatchUps != 1 || r.counters.LogEntriesFetched != 12 {
		t.Fatalf("after the last chunk: GetStates %+v, executed %d, counters %+v; want the state asked after 15, 15 executed, one catch-up of 12 entries",
			gs, r.executed, r.counters)
	}
}

// TestLaggingBackupJumpsWithoutRetainedLog: without FetchLog, or when the
// source retains none of the entries (an empty LogChunk), the backup jumps
// to the source's base and needs a checkpoint, as before.
func TestLaggingBackupJumpsWithoutRetainedLog(t *testing.T) {
	r := lagger(t, false)
	askFor(t, r)
	if r.base != 15 || !r.needsCheckpoint() {
		t.Fatalf("without FetchLog: base %d, needs checkpoint %v; want a jump to 15", r.base, r.needsCheckpoint())
	}
	r = lagger(t, true)
	askFor(t, r)
	r.Step(&message.LogChunk{Replica: 0, From: 3})
	gs := sentOf[*message.GetState](r.Output())
	if len(gs) != 1 || r.base != 0 {
		t.Fatalf("after an empty chunk: GetStates %+v, base %d; want the state asked again", gs, r.base)
	}
	r.Step(&message.NewState{View: 0, Op: 20, Commit: 20, Replica: 0, From: gs[0].Op, Entries: viewLog(16, 20)})
	if r.base != 15 || !r.needsCheckpoint() {
		t.Fatalf("after the second NewState: base %d, needs checkpoint %v; want a jump to 15", r.base, r.needsCheckpoint())
	}
}

// TestLogChunkFromElsewhereIgnored: a chunk from a replica the backup did
// not ask, or that does not start at the backup's log end, changes nothing.
func TestLogChunkFromElsewhereIgnored(t *testing.T) {
	r := lagger(t, true)
	askFor(t, r)
	r.Step(&message.LogChunk{Replica: 2, From: 3, Entries: viewLog(4, 10)})
	r.Step(&message.LogChunk{Replica: 0, From: 5, Entries: viewLog(6, 10)})
	if r.op() != 3 || r.commit != 3 {
		t.Fatalf("op %d commit %d after foreign chunks; want 3, 3", r.op(), r.commit)
	}
}
