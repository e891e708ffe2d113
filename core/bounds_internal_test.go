package core

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/vr-go/vr/message"
)

type nopMachine struct{}

func (nopMachine) Apply(uint64, []byte) []byte { return nil }
func (nopMachine) Snapshot() Snapshot          { return bytes.NewReader(nil) }
func (nopMachine) Restore(io.Reader) error     { return nil }

// TestOversizeMessagePanicsWhereBuilt gives a replica a log above its
// bound, which no path of the core builds, and checks that the
// DoViewChange carrying it panics as it is sent, naming the message and
// the bound, instead of leaving as a frame that its peer refuses.
func TestOversizeMessagePanicsWhereBuilt(t *testing.T) {
	r, err := New(Config{ReplicaCount: 3, Index: 1, MaxMessageBytes: 2048, MaxRequestBytes: 64,
		MaxBatchBytes: 512, CheckpointBytes: 200, CheckpointChunk: 64}, nopMachine{})
	if err != nil {
		t.Fatal(err)
	}
	for op := uint64(1); op <= 40; op++ {
		r.log = append(r.log, message.Entry{Op: op, Payload: make([]byte, 60)})
	}
	r.recountLog()
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "DoViewChange of 4245 bytes, above MaxMessageBytes 2048") {
			t.Fatalf("panic %q, want the DoViewChange's size and the bound", msg)
		}
	}()
	r.sendDoViewChange()
}
