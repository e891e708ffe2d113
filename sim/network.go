package sim

import (
	"strings"

	"github.com/vr-go/vr/message"
)

// Normal one-way message delay range, in simulated microseconds.
const (
	minDelay = 200
	maxDelay = 2000
)

// netState is the network's fault state during one epoch. Nodes are the
// replicas 0..n-1 followed by the clients.
type netState struct {
	loss    float64 // probability a message is lost
	dup     float64 // probability a message is delivered twice
	reorder float64 // probability a message takes a long delay
	mtu     []bool  // mtu[from*nodes+to]: from cannot send large messages to to
	cut     []bool  // cut[from*nodes+to]: from cannot reach to
	desc    string
}

// network holds the current fault state and the filter used by scenario
// tests.
type network struct {
	nodes int
	st    netState
	// drop, if set, silently loses the messages for which it returns true
	// (scenario tests script faults with it).
	drop func(from, to int, m message.Message) bool
}

func (nw *network) init(nodes int) {
	nw.nodes = nodes
	nw.st = netState{cut: make([]bool, nodes*nodes), desc: "clean"}
}

// isCut reports whether from cannot reach to now.
func (nw *network) isCut(from, to int) bool { return nw.st.cut[from*nw.nodes+to] }

// clean returns a fault-free state.
func (nw *network) clean() netState {
	return netState{cut: make([]bool, nw.nodes*nw.nodes), desc: "clean"}
}

// send puts m from node from on the wire to node to, applying the current
// loss, duplication and delay.
func (r *run) send(from, to int, m message.Message) {
	r.res.MessagesSent++
	if r.net.isCut(from, to) || (r.net.drop != nil && r.net.drop(from, to, m)) || r.chance(r.net.st.loss) || r.net.tooBig(from, to, m) {
		r.res.MessagesDropped++
		return
	}
	r.enqueue(from, to, m)
	if r.chance(r.net.st.dup) {
		r.res.MessagesDuplicated++
		r.enqueue(from, to, m)
	}
}

// tooBig reports whether m is a large message on a link that loses them.
func (nw *network) tooBig(from, to int, m message.Message) bool {
	if nw.st.mtu == nil || !nw.st.mtu[from*nw.nodes+to] {
		return false
	}
	switch m := m.(type) {
	case *message.Prepare:
		return len(m.Entries) > 0
	case *message.DoViewChange:
		return len(m.Log) > 0
	case *message.StartView:
		return len(m.Log) > 0
	case *message.NewState:
		return len(m.Entries) > 0
	case *message.RecoveryResponse:
		return len(m.Log) > 0
	case *message.CheckpointChunk:
		return len(m.Data) > 0
	}
	return false
}

// enqueue schedules the delivery of one copy of m.
func (r *run) enqueue(from, to int, m message.Message) {
	delay := r.between(minDelay, maxDelay)
	if r.chance(r.net.st.reorder) {
		delay = r.between(maxDelay, us(r.opts.Faults.MaxDelay))
	}
	e := event{kind: evDeliver, node: to, from: from, msg: m}
	if to >= r.n {
		e.kind, e.node = evReply, to-r.n
	}
	r.schedule(r.now+delay, e)
}

// arrives reports whether a message from→to survives the partitions in
// force when it arrives; a message caught by one is dropped.
func (r *run) arrives(from, to int) bool {
	if r.net.isCut(from, to) {
		r.res.MessagesDropped++
		return false
	}
	return true
}

// copyMessage returns a shallow copy of m, so that no two receivers share a
// message value (as they would not on a real network). Slices are shared:
// the core never writes into a received message's slices.
func copyMessage(m message.Message) message.Message {
	switch m := m.(type) {
	case *message.Request:
		c := *m
		return &c
	case *message.Reply:
		c := *m
		return &c
	case *message.Prepare:
		c := *m
		return &c
	case *message.PrepareOK:
		c := *m
		return &c
	case *message.Commit:
		c := *m
		return &c
	case *message.StartViewChange:
		c := *m
		return &c
	case *message.DoViewChange:
		c := *m
		return &c
	case *message.StartView:
		c := *m
		return &c
	case *message.Recovery:
		c := *m
		return &c
	case *message.RecoveryResponse:
		c := *m
		return &c
	case *message.GetState:
		c := *m
		return &c
	case *message.NewState:
		c := *m
		return &c
	case *message.GetCheckpoint:
		c := *m
		return &c
	case *message.CheckpointChunk:
		c := *m
		return &c
	}
	return m
}

// describeCut renders the cut links between replicas, for the log.
func (r *run) describeCut(st netState) string {
	var b strings.Builder
	for from := 0; from < r.n; from++ {
		for to := 0; to < r.n; to++ {
			if from != to && st.cut[from*r.net.nodes+to] {
				b.WriteString(" ")
				b.WriteByte(byte('0' + from%10))
				b.WriteString("↛")
				b.WriteByte(byte('0' + to%10))
			}
		}
	}
	return b.String()
}
