package node

import (
	"io"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// diskMachine is a state machine that counts nothing but knows its size
// on disk, as the pebble engine.
type diskMachine struct{ core.StateMachine }

func (diskMachine) DiskBytes() uint64 { return 12345 }

// plainMachine is a state machine that neither describes itself nor
// lives on disk.
type plainMachine struct{}

func (plainMachine) Apply(uint64, []byte) []byte { return nil }
func (plainMachine) Snapshot() io.WriterTo       { return nil }
func (plainMachine) Restore(r io.Reader) error   { return nil }

// TestDescribe: the status page's summary of the state machine says when
// the keys and digest are unknown, and what a state on disk takes.
func TestDescribe(t *testing.T) {
	store := kv.New(kv.DefaultLimits())
	store.Apply(1, kv.NewPut([]byte("k"), []byte("v")).Encode())
	for _, c := range []struct {
		name string
		sm   core.StateMachine
		want stateSummary
	}{
		{"kv", store, stateSummary{keys: 1, digest: store.Digest()}},
		{"plain", plainMachine{}, stateSummary{unknown: true}},
		{"on disk", diskMachine{plainMachine{}}, stateSummary{unknown: true, diskBytes: 12345}},
		{"witness", nil, stateSummary{}},
	} {
		n := &Node{sm: c.sm}
		if got := n.describe(); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
