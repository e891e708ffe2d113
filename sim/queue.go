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

func (q eventQueue) less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}

func (q *eventQueue) push(e event) {
	*q = append(*q, e)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *eventQueue) pop() event {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = event{}
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}
