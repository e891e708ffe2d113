package sim

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// evKind is the kind of a simulator event.
type evKind uint8

const (
	evDeliver      evKind = iota + 1 // a message arrives at a replica
	evReply                          // a reply arrives at a client
	evTick                           // a replica's clock ticks
	evClientTick                     // a client's clock ticks
	evClientStart                    // a client's think time is over
	evEpoch                          // the network fault state changes
	evCrash                          // a replica may crash
	evRestart                        // a crashed replica restarts
	evQuiet                          // the fault phase ends
	evEpisode                        // the next phase of a scripted episode
	evDiskDone                       // a replica's oldest disk write completes
	evClusterCrash                   // every replica crashes at once (durable)
	evStart                          // a replica of a bootstrap run starts
	evDrain                          // a replica's slow step ends
	evCkptSaved                      // a replica's checkpoint write completes
	evBaseSaved                      // a replica's background checkpoint base write completes
)

// event is one entry of the simulator's agenda. Events run in (at, seq)
// order, so equal times keep their scheduling order.
type event struct {
	at   int64 // simulated microseconds
	seq  uint64
	kind evKind
	node int    // destination replica or client index
	from int    // sending node (deliveries)
	inc  uint32 // incarnation of node the event belongs to (ticks)
	msg  message.Message
	ckpt *core.Checkpoint // evCkptSaved: the checkpoint written
}

// eventQueue is a binary min-heap of events.
type eventQueue []event

// before reports whether a runs before b.
func (a *event) before(b *event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// push adds e. Entries move into the hole that e leaves rather than
// swapping: half the copies of events, which hold pointers.
func (q *eventQueue) push(e event) {
	*q = append(*q, e)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// pop removes and returns the first event.
func (q *eventQueue) pop() event {
	h := *q
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h[n] = event{}
	h = h[:n]
	*q = h
	if n == 0 {
		return top
	}
	i := 0
	for {
		m := 2*i + 1
		if m >= n {
			break
		}
		if r := m + 1; r < n && h[r].before(&h[m]) {
			m = r
		}
		if !h[m].before(&last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
	return top
}
