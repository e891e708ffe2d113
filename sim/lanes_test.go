package sim

import (
	"testing"

	"github.com/vr-go/vr/message"
)

// laneRun is a bare run of two replicas whose link carries bw bytes per
// second, for the network alone.
func laneRun(bw int) *run {
	r := &run{n: 2}
	r.opts.Faults.Bandwidth = bw
	r.net.init(2)
	return r
}

// arrivals runs r's agenda to the end, sending the links' quanta, and
// returns when each message arrives, by type.
func arrivals(r *run) map[message.Type]int64 {
	at := make(map[message.Type]int64)
	for r.queue.len() > 0 {
		e := r.queue.pop()
		r.now = e.at
		switch e.kind {
		case evTransmit:
			r.transmitted(e.from, e.node)
		case evDeliver:
			at[e.msg.Type()] = e.at
		}
	}
	return at
}

// TestLanesShareTheLink sends a 3 MiB checkpoint chunk and, 1 ms later, a
// Commit on a link of 40 MiB/s: the Commit waits for the chunk's current
// quantum only (64 KiB, 1.6 ms), and the chunk arrives when the link sent
// both messages' bytes, as on one FIFO; with one FIFO (the old model) the
// Commit arrives after the chunk.
func TestLanesShareTheLink(t *testing.T) {
	const bw = 40 << 20
	chunk := &message.CheckpointChunk{Data: make([]byte, 3<<20)}
	commit := &message.Commit{View: 1, Commit: 2}
	if message.LaneOf(chunk) != message.LaneBulk || message.LaneOf(commit) != message.LaneControl {
		t.Fatal("the chunk must take the bulk lane and the Commit the control lane")
	}
	r := laneRun(bw)
	r.pushLane(0, 1, chunk, 0)
	r.now = 1000
	r.pushLane(0, 1, commit, 0)
	at := arrivals(r)
	quantum := int64(laneQuantum) * 1_000_000 / bw
	if got := at[message.TypeCommit]; got > 1000+quantum {
		t.Errorf("Commit arrived at %d µs, want by %d (one quantum after it was sent)", got, 1000+quantum)
	}
	// Each quantum's duration is cut to whole microseconds, as each
	// message's was in the single-lane model: at most 1 µs per quantum.
	whole := int64(message.Size(chunk)+message.Size(commit)) * 1_000_000 / bw
	slack := int64(message.Size(chunk)/laneQuantum + 2)
	if got := at[message.TypeCheckpointChunk]; got < whole-slack || got > whole {
		t.Errorf("chunk arrived at %d µs, want %d (both messages' bytes over the bandwidth, within %d µs)", got, whole, slack)
	}

	old := laneRun(bw)
	old.opts.Bugs.SingleLane = true
	old.enqueueAt(0, 1, chunk)
	old.now = 1000
	old.enqueueAt(0, 1, commit)
	oldAt := arrivals(old)
	if oldAt[message.TypeCommit] < oldAt[message.TypeCheckpointChunk] {
		t.Errorf("single lane: Commit at %d µs before the chunk at %d", oldAt[message.TypeCommit], oldAt[message.TypeCheckpointChunk])
	}
}

// enqueueAt puts m on the link from→to without a travel delay, as
// enqueue does with the single-lane model.
func (r *run) enqueueAt(from, to int, m message.Message) {
	r.scheduleDelivery(from, to, m, r.transmission(from, to, m))
}
