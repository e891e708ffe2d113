package sim

import (
	"slices"
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

// runAgenda runs r's agenda to the end, sending the links' quanta, and
// calls delivered for each message delivery.
func runAgenda(r *run, delivered func(e event)) {
	for r.queue.len() > 0 {
		e := r.queue.pop()
		r.now = e.at
		switch e.kind {
		case evTransmit:
			r.transmitted(e.from, e.node)
		case evDeliver:
			delivered(e)
		}
	}
}

// arrivals runs r's agenda to the end and returns when each message
// arrives, by type.
func arrivals(r *run) map[message.Type]int64 {
	at := make(map[message.Type]int64)
	runAgenda(r, func(e event) { at[e.msg.Type()] = e.at })
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

// chunkOf returns a checkpoint chunk (a bulk message) carrying size bytes.
func chunkOf(op uint64, size int) *message.CheckpointChunk {
	return &message.CheckpointChunk{Op: op, Data: make([]byte, size)}
}

// deliveredOps runs r's agenda to the end and returns the Op of each
// checkpoint chunk delivered, in order, and how many Commits arrived.
func deliveredOps(r *run) (chunks []uint64, commits int) {
	runAgenda(r, func(e event) {
		if c, ok := e.msg.(*message.CheckpointChunk); ok {
			chunks = append(chunks, c.Op)
		} else {
			commits++
		}
	})
	return chunks, commits
}

// TestCrashDropsUnsentLanes crashes a sender with 8 MiB of chunks queued
// on its bulk lane and a Commit on its control lane: what a dead process
// can still deliver is one send buffer per connection (4 MiB not yet sent:
// four of the chunks, as the first had sent one quantum), and the Commit;
// the old model delivered all eight chunks. A chunk larger than the buffer
// that is being sent still arrives, and nothing after it on its lane.
func TestCrashDropsUnsentLanes(t *testing.T) {
	r := laneRun(40 << 20)
	for op := uint64(1); op <= 8; op++ {
		r.pushLane(0, 1, chunkOf(op, 1<<20), 0)
	}
	r.pushLane(0, 1, &message.Commit{View: 1, Commit: 2}, 0)
	r.crashLinks(0)
	chunks, commits := deliveredOps(r)
	if want := []uint64{1, 2, 3, 4}; !slices.Equal(chunks, want) || commits != 1 {
		t.Errorf("after the crash: chunks %v and %d Commits arrived, want %v and 1", chunks, commits, want)
	}
	if r.res.MessagesLostInCrash != 4 {
		t.Errorf("%d messages counted lost, want 4", r.res.MessagesLostInCrash)
	}

	big := laneRun(40 << 20)
	big.pushLane(0, 1, chunkOf(1, 6<<20), 0)
	big.pushLane(0, 1, chunkOf(2, 1<<20), 0)
	big.crashLinks(0)
	if chunks, _ := deliveredOps(big); !slices.Equal(chunks, []uint64{1}) {
		t.Errorf("a 6 MiB chunk being sent, then a 1 MiB one: %v arrived, want [1]", chunks)
	}
}

// TestCrashDropsUnsentHeld crashes a sender whose cut link holds 8 MiB of
// its chunks and one message of an earlier incarnation: after the heal,
// the earlier incarnation's message and the dying one's first 4 MiB (three
// chunks) arrive, the rest died with the process.
func TestCrashDropsUnsentHeld(t *testing.T) {
	r := &run{n: 2, replicas: []*replica{{idx: 0, up: true}, {idx: 1, up: true}}}
	r.net.init(2)
	r.net.st.buffer = true
	r.net.st.cut[0*2+1] = true
	r.replicas[0].inc = 1
	r.hold(0, 1, chunkOf(100, 10))
	r.replicas[0].inc = 2
	for op := uint64(1); op <= 8; op++ {
		r.hold(0, 1, chunkOf(op, 1<<20))
	}
	r.crashHeld(0)
	var ops []uint64
	for _, h := range r.net.held[1] {
		ops = append(ops, h.msg.(*message.CheckpointChunk).Op)
	}
	if want := []uint64{100, 1, 2, 3}; !slices.Equal(ops, want) {
		t.Errorf("held after the crash: %v, want %v", ops, want)
	}
	if r.res.MessagesLostInCrash != 5 {
		t.Errorf("%d messages counted lost, want 5", r.res.MessagesLostInCrash)
	}
}
