package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// TestBackupExecutesAfterItsAcknowledgement: a Prepare that carries a
// commit-number puts the backup's PrepareOK in the Output first; the
// entries it committed execute only at ExecuteCommitted (the driver calls
// it once that Output left), or before the next input. Executing them in
// the Prepare's step put a batch's execution between the Prepare and its
// PrepareOK, on the critical path of the next commit.
func TestBackupExecutesAfterItsAcknowledgement(t *testing.T) {
	c := newCluster(t, 3)
	backup := c.replicas[1]
	log := []message.Entry{
		{Op: 1, ClientID: 1, RequestNum: 1, Kind: message.KindRegister},
		{Op: 2, ClientID: 1, RequestNum: 2, Session: 1, Kind: message.KindApp, Payload: []byte("a")},
		{Op: 3, ClientID: 1, RequestNum: 3, Session: 1, Kind: message.KindApp, Payload: []byte("b")},
	}
	backup.Step(&message.Prepare{View: 0, Commit: 0, Entries: log[:2]})
	backup.Output()
	backup.Step(&message.Prepare{View: 0, Commit: 2, Entries: log[2:]})
	out := backup.Output()
	if ok := prepareOKFor(out, 3); !ok || len(out.Applied) != 0 || backup.Info().Executed != 0 {
		t.Fatalf("in the Prepare's Output: PrepareOK for op 3 %v, %d entries executed (executed %d); want the ack and none",
			ok, len(out.Applied), backup.Info().Executed)
	}
	if !backup.ExecuteCommitted() {
		t.Fatal("ExecuteCommitted reported nothing to output")
	}
	if got := backup.Info().Executed; got != 2 {
		t.Fatalf("executed %d after ExecuteCommitted, want 2", got)
	}
	if out := backup.Output(); len(out.Applied) != 2 {
		t.Fatalf("the next Output carries %d executed entries, want 2", len(out.Applied))
	}
	if backup.ExecuteCommitted() {
		t.Fatal("ExecuteCommitted reported output with nothing left to execute")
	}

	// Any other input first executes what is due.
	backup.Step(&message.Commit{View: 0, Commit: 3})
	backup.Output()
	backup.Step(&message.Commit{View: 0, Commit: 3})
	if got := backup.Info().Executed; got != 3 {
		t.Fatalf("executed %d after the next input, want 3", got)
	}
}

// prepareOKFor reports whether out sends a PrepareOK for op.
func prepareOKFor(out core.Output, op uint64) bool {
	for _, e := range out.Messages {
		if ok, is := e.Msg.(*message.PrepareOK); is && ok.Op == op {
			return true
		}
	}
	return false
}
