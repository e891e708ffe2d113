package transport

import (
	"sync"

	"github.com/vr-go/vr/message"
)

// outQueue is a bounded multi-producer, single-consumer message queue.
//
// Producers never block: push fails when the queue is full or closed. The
// consumer takes everything queued at once by swapping slices, so a batch
// costs one lock round trip and, in steady state, no allocation.
type outQueue struct {
	mu     sync.Mutex
	items  []message.Message
	limit  int
	closed bool
	// maxBytes bounds the encoded bytes of the queued messages (0: no
	// bound); bytes counts them.
	maxBytes, bytes int
	// ready holds a token whenever items became non-empty since the
	// consumer last took them (it may also hold a stale token).
	ready chan struct{}
}

// newOutQueue returns an empty queue holding at most limit messages.
func newOutQueue(limit int) *outQueue {
	return &outQueue{limit: limit, ready: make(chan struct{}, 1)}
}

// push appends m and reports whether it was accepted.
func (q *outQueue) push(m message.Message) bool { return q.pushSized(m, 0) }

// pushSized is push for a queue bounded by bytes: size is m's encoded
// size, which the caller computed once for its own accounting too.
func (q *outQueue) pushSized(m message.Message, size int) bool {
	q.mu.Lock()
	if q.closed || len(q.items) >= q.limit || len(q.items) > 0 && q.bytes+size > q.maxBytes && q.maxBytes > 0 {
		q.mu.Unlock()
		return false
	}
	q.bytes += size
	q.items = append(q.items, m)
	wake := len(q.items) == 1
	q.mu.Unlock()
	if wake {
		q.wake()
	}
	return true
}

// wake makes sure the consumer looks at the queue (and whatever else it
// writes first) soon.
func (q *outQueue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take returns every queued message, leaving spare (which must be empty,
// see recycle) as the new backing store. The caller owns the result until
// it passes it back as spare.
func (q *outQueue) take(spare []message.Message) []message.Message {
	out, _ := q.takeSized(spare)
	return out
}

// takeSized is take that also returns the bytes pushSized counted for
// the messages taken.
func (q *outQueue) takeSized(spare []message.Message) ([]message.Message, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out, bytes := q.items, q.bytes
	q.items, q.bytes = spare[:0], 0
	return out, bytes
}

// rebound sets the queue's byte bound to maxBytes and drops the oldest
// messages until the rest fit (the newest is always kept); it reports how
// many it dropped. Only for queues whose messages were pushed with their
// message.Size.
func (q *outQueue) rebound(maxBytes int) (dropped int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.maxBytes = maxBytes
	for dropped < len(q.items)-1 && q.bytes > maxBytes {
		q.bytes -= message.Size(q.items[dropped])
		dropped++
	}
	if dropped > 0 {
		kept := copy(q.items, q.items[dropped:])
		clear(q.items[kept:])
		q.items = q.items[:kept]
	}
	return dropped
}

// pending reports whether messages are queued.
func (q *outQueue) pending() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) > 0
}

// close refuses further pushes and reports how many queued messages were
// discarded, and their bytes (as pushSized counted them).
func (q *outQueue) close() (n, bytes int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	n, bytes = len(q.items), q.bytes
	clear(q.items)
	q.items, q.bytes = q.items[:0], 0
	return n, bytes
}

// recycle empties a taken batch for reuse as spare, dropping its
// references so that written messages can be collected.
func recycle(batch []message.Message) []message.Message {
	clear(batch)
	return batch[:0]
}
