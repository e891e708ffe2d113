package transport

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

// forgeable returns the checkpoint-transfer messages, naming replica r as
// their sender.
func forgeable(r uint8) []message.Message {
	return []message.Message{
		&message.GetCheckpoint{Replica: r, MinOp: 10, MaxOp: 20},
		&message.CheckpointChunk{Replica: r, Op: 15, Size: 3, Data: []byte{1, 2, 3}},
	}
}

// TestForgedCheckpointSenderRejected checks, on a live transport, that a
// GetCheckpoint or CheckpointChunk whose Replica field disagrees with the
// connection's sender is rejected like any other forged message, and that
// honest ones still arrive.
func TestForgedCheckpointSenderRejected(t *testing.T) {
	trs, _ := startCluster(t, 3, nil)
	tr := trs[0]
	for _, m := range forgeable(2) {
		t.Run(m.Type().String(), func(t *testing.T) {
			before := tr.Stats().BadFrames
			conn := dialRaw(t, tr)
			writeFrame(t, conn, testCluster, 1, m) // sender 1 claims to be replica 2
			expectClosed(t, conn)
			if got := tr.Stats().BadFrames; got != before+1 {
				t.Fatalf("bad frames %d, want %d", got, before+1)
			}
		})
	}
	drain(tr)
	for _, m := range forgeable(1) {
		trs[1].Send(0, m)
		if in := receive(t, tr); in.From != 1 || !reflect.DeepEqual(in.Msg, m) {
			t.Fatalf("honest %v arrived as %+v", m.Type(), in)
		}
	}
}

// TestCheckFrameEveryType checks the sender rules for every message type:
// who may send it, and that a replica's message whose struct has a Replica
// field must name the replica that sent it.
func TestCheckFrameEveryType(t *testing.T) {
	tr := &Transport{cfg: Config{ClusterID: testCluster, Self: 0, Peers: make([]string, 3)}}
	for _, typ := range message.Types() {
		m := message.New(typ)
		h := wire.Header{Cluster: testCluster, Type: typ, Sender: wire.SenderClient}
		_, err := tr.checkFrame(h, m)
		if fromClient := typ.Route() == message.ClientToReplica; (err == nil) != fromClient {
			t.Errorf("%v from a client: %v", typ, err)
		}
		h.Sender = 1
		field := reflect.ValueOf(m).Elem().FieldByName("Replica")
		if field.IsValid() {
			field.SetUint(1)
		}
		from, err := tr.checkFrame(h, m)
		if peer := typ.Route() == message.ReplicaToReplica; (err == nil) != peer || (peer && from != 1) {
			t.Errorf("%v from replica 1: %d, %v", typ, from, err)
		}
		if field.IsValid() && typ.Route() == message.ReplicaToReplica {
			field.SetUint(2)
			if _, err := tr.checkFrame(h, m); !errors.Is(err, ErrProtocol) {
				t.Errorf("%v from replica 1 claiming replica 2 accepted: %v", typ, err)
			}
		}
	}
}
