package sim

import (
	"bytes"

	"github.com/vr-go/vr/kv"
)

// plantedBugs are faults that the history checks' self-tests plant in the
// results the clients receive, to show that the checks catch what they
// claim to. All are off in normal runs.
type plantedBugs struct {
	// staleFromOld: a replica answers some of its stale reads from a copy
	// of its state taken up to maxAge earlier in the same incarnation (a
	// replica serving reads from an old snapshot).
	staleFromOld bool
	// leaseFromOld: the same for reads under a lease (KindRead), which
	// must be linearizable.
	leaseFromOld bool
	// scanDropsItem: every scan that found keys loses one of them.
	scanDropsItem bool
	// batchShifted: a batch's results reach its writes shifted by one (a
	// client demultiplexing a coalesced batch wrongly).
	batchShifted bool
	// every: a bug strikes one in every results it could change (0: all).
	every int
	// maxAge bounds how old staleFromOld's copies get, in µs (0: 100ms).
	maxAge int64

	old map[int]*oldCopy // staleFromOld: by replica
}

// oldCopy is a copy of a replica's state at time at, in incarnation inc.
type oldCopy struct {
	store *kv.Store
	inc   uint32
	at    int64
}

// plantResult returns the result c is told for cmd: res, unless a planted
// bug changes it.
func (r *run) plantResult(c *client, cmd kv.Command, res kv.Result) kv.Result {
	p := &r.hist.plant
	strike := func() bool { return p.every <= 1 || c.rng.IntN(p.every) == 0 }
	switch {
	case p.staleFromOld && c.mode == modeStale, p.leaseFromOld && c.mode == modeLease:
		return r.answerFromOld(c, cmd, res, strike)
	case !strike():
	case p.scanDropsItem && len(res.Items) > 0:
		i := c.rng.IntN(len(res.Items))
		res.Items = append(res.Items[:i:i], res.Items[i+1:]...)
	case p.batchShifted && len(res.Batch) > 1:
		res.Batch = append(res.Batch[1:len(res.Batch):len(res.Batch)], res.Batch[0])
	}
	return res
}

// answerFromOld answers a stale read from an old copy of the answering
// replica's state when strike says so, and refreshes the copy when it is
// too old or from another incarnation.
func (r *run) answerFromOld(c *client, cmd kv.Command, res kv.Result, strike func() bool) kv.Result {
	p := &r.hist.plant
	if r.source(c) == 0 {
		return res
	}
	rep := r.replicas[c.from]
	if p.old == nil {
		p.old = map[int]*oldCopy{}
	}
	o := p.old[c.from]
	maxAge := p.maxAge
	if maxAge == 0 {
		maxAge = 100_000
	}
	if o == nil || o.inc != rep.inc || r.now-o.at > maxAge {
		store := r.newStore()
		if err := store.Restore(bytes.NewReader(r.stateBytes(rep))); err != nil {
			panic(err)
		}
		p.old[c.from] = &oldCopy{store: store, inc: rep.inc, at: r.now}
		return res
	}
	if strike() {
		return o.store.Execute(cmd)
	}
	return res
}
