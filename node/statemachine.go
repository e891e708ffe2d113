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

// DiskSizer is implemented by a state machine that keeps its state on
// disk (pebblekv.Store): how many bytes its files take, for the status
// page.
type DiskSizer interface {
	DiskBytes() uint64
}

// stateSummary is what the status page says of the state machine.
type stateSummary struct {
	keys      int
	digest    uint64
	unknown   bool   // it is no Describer: keys and digest are not known
	diskBytes uint64 // from a DiskSizer
}

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

// describe summarizes the state machine, or returns zeros.
func (n *Node) describe() stateSummary {
	var s stateSummary
	if n.installs.installing() {
		return s // a goroutine restores the state machine
	}
	if d, ok := n.sm.(Describer); ok {
		s.keys, s.digest = d.Len(), d.Digest()
	} else {
		s.unknown = n.sm != nil // a witness has none
	}
	if d, ok := n.sm.(DiskSizer); ok {
		s.diskBytes = d.DiskBytes()
	}
	return s
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
