package client

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
)

// Coalescing (Config.Coalesce > 0). A session has one request in flight, so
// a client that must not open a session per call packs the writes that
// callers make while its requests are in flight into the next request: one
// kv batch, one log entry, one reply. At most Coalesce batches are in
// flight at once; each carries every write queued when it left, up to
// kv.MaxBatch writes or maxBatchBytes.

// maxBatchBytes bounds the encoded commands of one batch, well below the
// servers' 2 MiB payload limit.
const maxBatchBytes = 1 << 20

// pendingWrite is a write waiting for a batch.
type pendingWrite struct {
	cmd  kv.Command
	size int               // an upper bound of the command's encoded size
	done chan writeOutcome // buffered: the batch never blocks on it
}

type writeOutcome struct {
	res kv.Result
	err error
}

// coalescer queues writes and runs the batches.
type coalescer struct {
	mu       sync.Mutex
	queue    []*pendingWrite
	inflight int // batches running
}

// runCoalesced queues cmd, starts a batch if fewer than Coalesce run, and
// waits for cmd's result. A write that leaves before its batch takes it
// was not applied; once taken, it stays in its batch.
func (c *Client) runCoalesced(ctx context.Context, cmd kv.Command) (kv.Result, error) {
	// The size bound, not the encoding: the batch encodes its commands
	// once, in place (encoding each here too was a third of the client's
	// CPU in a profile).
	p := &pendingWrite{cmd: cmd, size: cmd.MaxEncodedLen(), done: make(chan writeOutcome, 1)}
	if c.co.enqueue(p, c.cfg.Coalesce) && !c.spawn(c.batchLoop) {
		c.co.stopped()
	}
	select {
	case o := <-p.done:
		return o.res, o.err
	case <-ctx.Done():
		if c.co.remove(p) {
			return kv.Result{}, notApplied(c.withRefusal(abandoned(ctx)))
		}
		return kv.Result{}, outcomeUnknown(c.withRefusal(abandoned(ctx)))
	case <-c.ctx.Done():
		if c.co.remove(p) {
			return kv.Result{}, notApplied(ErrClosed)
		}
		o := <-p.done // its batch ends now, with its own verdict
		return o.res, o.err
	}
}

// enqueue queues p and reports whether a batch loop must start (fewer
// than limit run); the caller starts it or calls stopped.
func (co *coalescer) enqueue(p *pendingWrite, limit int) bool {
	co.mu.Lock()
	defer co.mu.Unlock()
	co.queue = append(co.queue, p)
	if co.inflight >= limit {
		return false
	}
	co.inflight++
	return true
}

// stopped undoes the count of a batch loop that did not start.
func (co *coalescer) stopped() {
	co.mu.Lock()
	co.inflight--
	co.mu.Unlock()
}

// remove takes p out of the queue if no batch has taken it yet, and
// reports whether it did.
func (co *coalescer) remove(p *pendingWrite) bool {
	co.mu.Lock()
	defer co.mu.Unlock()
	for i, q := range co.queue {
		if q == p {
			co.queue = append(co.queue[:i:i], co.queue[i+1:]...)
			return true
		}
	}
	return false
}

// batchLoop sends batches while writes are queued.
func (c *Client) batchLoop() {
	for {
		batch := c.co.take()
		if batch == nil {
			return
		}
		c.runBatch(batch)
		c.co.settle()
	}
}

// settle lets the callers of the batch just answered write again before
// the next batch is taken: the answers made their goroutines runnable,
// but the batch loop would otherwise take the queue before most of them
// ran, and the next batch left with a few writes while the rest waited a
// whole round for the one after (batches alternating small and large:
// about half of what a round could carry; docs/benchmarks.md, seventh
// session). It yields the processor while the queue grows, at most
// settleYields times; a lone caller costs one or two yields. (At 1 KiB
// values the fuller batches make Prepares straddle the 64 KiB bulk-lane
// size, which backups take in any order since the eighth session:
// docs/protocol.md, "Lanes", rule 5.)
func (co *coalescer) settle() {
	n := co.queued()
	for range settleYields {
		runtime.Gosched()
		m := co.queued()
		if m == n {
			return
		}
		n = m
	}
}

// settleYields bounds settle's yields.
const settleYields = 8

// queued returns how many writes wait for a batch.
func (co *coalescer) queued() int {
	co.mu.Lock()
	defer co.mu.Unlock()
	return len(co.queue)
}

// take removes the next batch from the queue, or, if it is empty, ends
// one running batch loop and returns nil.
func (co *coalescer) take() []*pendingWrite {
	co.mu.Lock()
	defer co.mu.Unlock()
	n, bytes := 0, 0
	for n < len(co.queue) && n < kv.MaxBatch && (n == 0 || bytes+co.queue[n].size <= maxBatchBytes) {
		bytes += co.queue[n].size
		n++
	}
	if n == 0 {
		co.inflight--
		return nil
	}
	batch := co.queue[:n:n]
	co.queue = co.queue[n:]
	return batch
}

// runBatch sends one request for batch and hands every write its result.
func (c *Client) runBatch(batch []*pendingWrite) {
	cmd := batch[0].cmd
	if len(batch) > 1 {
		cmds := make([]kv.Command, len(batch))
		for i, p := range batch {
			cmds[i] = p.cmd
		}
		cmd = kv.NewBatch(cmds)
	}
	// The batch runs until it completes or the client closes, even if
	// its callers stop waiting: they were told its outcome is unknown.
	res, err := c.execute(c.ctx, message.KindApp, cmd)
	for i, p := range batch {
		o := writeOutcome{res: res, err: err}
		if err == nil && len(batch) > 1 {
			o = c.batchOutcome(res, i)
		}
		p.done <- o
	}
}

// batchOutcome is the outcome of write i of a batch answered with res.
func (c *Client) batchOutcome(res kv.Result, i int) writeOutcome {
	if res.Kind != kv.KindBatch || i >= len(res.Batch) {
		return writeOutcome{err: fmt.Errorf("%w: batch answered with %v of %d results", ErrBadReply, res.Kind, len(res.Batch))}
	}
	sub := res.Batch[i]
	return writeOutcome{res: sub, err: notApplied(sub.Err())}
}
