package node

import (
	"fmt"
	"io"
	"log/slog"

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
func (c Config) stateMachine() (core.StateMachine, error) {
	switch {
	case c.IsWitness():
		return nil, nil // a witness holds no state
	case c.OpenStateMachine != nil:
		sm, err := c.OpenStateMachine()
		if err != nil {
			return nil, fmt.Errorf("node: opening the state machine: %w", err)
		}
		return sm, nil
	case c.NewStateMachine != nil:
		return c.NewStateMachine(), nil
	}
	return kv.New(c.KVLimits), nil
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

// closeStateMachine closes the node's state machine if it holds resources
// (io.Closer: an engine on disk such as pebblekv.Store). Run calls it on
// its way out, after the checkpoint writers and installs stopped.
func (n *Node) closeStateMachine() { closeStateMachine(n.sm, n.log) }

func closeStateMachine(sm core.StateMachine, log *slog.Logger) {
	c, ok := sm.(io.Closer)
	if !ok {
		return
	}
	if err := c.Close(); err != nil {
		log.Error("closing the state machine", "err", err)
	}
}
