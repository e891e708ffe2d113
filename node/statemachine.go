package node

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
)

// Describer is implemented by a state machine that can summarize itself
// for the status page: how many items it holds, and a digest of its state
// that is equal on every replica that executed the same ops.
type Describer interface {
	Len() int
	Digest() uint64
}

var _ Describer = (*kv.Store)(nil)

// stateMachine returns a new, empty state machine for the replica.
func (c Config) stateMachine() core.StateMachine {
	if c.IsWitness() {
		return nil // a witness holds no state
	}
	if c.NewStateMachine != nil {
		return c.NewStateMachine()
	}
	return kv.New(c.KVLimits)
}

// describe returns the state machine's size and digest, or zeros.
func (n *Node) describe() (int, uint64) {
	if n.installs.installing() {
		return 0, 0 // a goroutine restores the state machine
	}
	if d, ok := n.sm.(Describer); ok {
		return d.Len(), d.Digest()
	}
	return 0, 0
}
