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
	evCkptKept                       // a replica's idle saver reports the checkpoints it kept
	evBaseSaved                      // a replica's background checkpoint base write completes
	evInstalled                      // a replica's driver finished installing a fetched checkpoint
	evAdmin                          // the administrator acts (reconfiguration runs)
	evTransmit                       // a link between replicas sent a quantum (lanes.go)
	evPeerLost                       // a replica learns a crashed peer's connection ended (peerlost.go)
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
	inst *simInstall      // evInstalled: the install that ends
}

// eventQueue is the agenda: a binary min-heap of keys, which hold no
// pointers, so the heap's moves need no write barriers while the
// collector runs (they were 4% of a durable seed's CPU). The events
// themselves stay put in slots, reused once popped.
type eventQueue struct {
	heap  []queueKey
	slots []event
	free  []int32 // slots no queued event holds
}

// queueKey is an event's place in the heap: its order and its slot.
type queueKey struct {
	at   int64
	seq  uint64
	slot int32
}

// before reports whether a runs before b.
func (a queueKey) before(b queueKey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// len returns the number of events queued.
func (q *eventQueue) len() int { return len(q.heap) }

// next returns the time of the first event; the queue must not be empty.
func (q *eventQueue) next() int64 { return q.heap[0].at }

// push adds e. Keys move into the hole that e's key leaves rather than
// swapping.
func (q *eventQueue) push(e event) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[slot] = e
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, e)
	}
	k := queueKey{at: e.at, seq: e.seq, slot: slot}
	q.heap = append(q.heap, k)
	h := q.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !k.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = k
}

// pop removes and returns the first event.
func (q *eventQueue) pop() event {
	h := q.heap
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.heap = h
	if n > 0 {
		i := 0
		for {
			m := 2*i + 1
			if m >= n {
				break
			}
			if r := m + 1; r < n && h[r].before(h[m]) {
				m = r
			}
			if !h[m].before(last) {
				break
			}
			h[i] = h[m]
			i = m
		}
		h[i] = last
	}
	e := q.slots[top.slot]
	q.slots[top.slot] = event{} // drop its message and checkpoint
	q.free = append(q.free, top.slot)
	return e
}
