package core_test

import (
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// BenchmarkPrimaryStep measures the primary's work for one request:
// Step(Request), Output (the Prepare to each backup), Step of one
// PrepareOK that commits it, and Output (the reply).
func BenchmarkPrimaryStep(b *testing.B) {
	r, err := core.New(core.Config{ReplicaCount: 3, MaxSessions: 1024}, &counter{})
	if err != nil {
		b.Fatal(err)
	}
	joinBackups(r, 3)
	r.Step(&message.Request{ClientID: 1, RequestNum: 1, Kind: message.KindRegister})
	r.Output()
	r.Step(&message.PrepareOK{View: 0, Op: 1, Replica: 1})
	r.Output()
	payload := make([]byte, 256)
	req := &message.Request{ClientID: 1, Session: 1, Kind: message.KindApp, Payload: payload} // registered at op 1
	ack := &message.PrepareOK{View: 0, Replica: 1}
	b.ReportAllocs()
	for i := uint64(2); b.Loop(); i++ {
		req.RequestNum = i
		r.Step(req)
		r.Output()
		ack.Op = i
		r.Step(ack)
		r.Output()
	}
}

// BenchmarkBackupStep measures a backup accepting one Prepare and
// acknowledging it.
func BenchmarkBackupStep(b *testing.B) {
	r, err := core.New(core.Config{ReplicaCount: 3, Index: 1}, &counter{})
	if err != nil {
		b.Fatal(err)
	}
	entry := message.Entry{View: 0, ClientID: 1, RequestNum: 1, Kind: message.KindRegister}
	prep := &message.Prepare{View: 0, Entries: []message.Entry{entry}}
	b.ReportAllocs()
	for i := uint64(1); b.Loop(); i++ {
		prep.Entries[0].Op = i
		prep.Entries[0].RequestNum = i
		prep.Commit = i - 1
		r.Step(prep)
		r.Output()
	}
}
