package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/proxy"
)

// Client timing, in base ticks and microseconds.
const (
	clientRetryTicks     = 5
	clientBroadcastAfter = 2
	maxThink             = 40_000 // longest pause between two operations
)

// requestMode is how an operation travels.
type requestMode uint8

const (
	modeApp   requestMode = iota // through the log (KindApp)
	modeLease                    // KindRead: under the primary's lease, or through the log
	modeStale                    // KindStaleRead: one replica's own state
)

// client is one simulated application client driving a VR proxy.
type client struct {
	idx      int
	p        *proxy.Proxy
	busy     bool
	hid      int   // history id of the operation in flight
	started  int64 // when it was submitted
	versions map[string]uint64
	values   int // counter making every written value unique
	mode     requestMode
	// incs are the replicas' incarnations when the operation in flight
	// was submitted: a reply from a replica still in the same one was
	// answered by that incarnation (the history's source).
	incs []uint32
	from int // the replica whose reply is being handled, -1 if none

	wl      workload
	budget  int        // bytes of large values the operation being drawn may still add
	rng     *rand.Rand // the workload's own draws (see setupClients)
	staleTo int        // the replica stale reads go to, -1 before the first
}

// workload is what a run's clients issue beyond single-key operations.
type workload struct {
	multi bool    // scans, scans by prefix and batches of writes
	stale float64 // probability that a read is a stale read
}

// workloadStream seeds the workload's generators. They are separate from
// the run's generator, so that runs with neither scans, batches nor stale
// reads draw exactly what they drew before those existed.
const workloadStream = 0x3017_1d5c_a9e5_0001

// setupClients creates the clients and schedules their first operations.
// Half of the runs (none with scripted readers) issue scans and batches,
// and, independently, half issue stale reads.
func (r *run) setupClients() {
	retry, broadcast := clientRetryTicks, clientBroadcastAfter
	if r.opts.Faults.EagerClients {
		retry, broadcast = 1, 1
	}
	wl := r.drawWorkload()
	for i := 0; i < r.opts.Clients; i++ {
		p, err := proxy.New(proxy.Config{
			ReplicaCount: r.n, ClientID: uint64(i + 1),
			RetryTicks: retry, BroadcastAfter: broadcast, Witnesses: r.membership().Witnesses(),
		})
		if err != nil {
			panic(err)
		}
		r.clients = append(r.clients, &client{
			idx: i, p: p, versions: map[string]uint64{}, from: -1, wl: wl, staleTo: -1,
			rng: rand.New(rand.NewPCG(r.opts.Seed, workloadStream+uint64(i)+1)),
		})
		r.schedule(r.between(0, maxThink), event{kind: evClientStart, node: i})
		r.schedule(r.between(1, us(r.opts.Tick)), event{kind: evClientTick, node: i})
	}
}

// drawWorkload picks the run's workload.
func (r *run) drawWorkload() workload {
	if r.hist.force != nil {
		return *r.hist.force
	}
	if len(r.readers) > 0 {
		return workload{}
	}
	g := rand.New(rand.NewPCG(r.opts.Seed, workloadStream))
	wl := workload{multi: g.IntN(2) == 0}
	if g.IntN(2) == 0 {
		wl.stale = 0.5
	}
	return wl
}

// startOp submits a random operation, unless the run is draining.
func (r *run) startOp(i int) {
	c := r.clients[i]
	if c.busy || r.now >= r.drainAt {
		return
	}
	c.budget = r.opts.Faults.LargeValues
	cmd := r.randomCommand(c)
	c.mode = r.pickMode(c, cmd)
	var err error
	switch payload := cmd.Encode(); c.mode {
	case modeStale:
		err = c.p.SubmitStaleRead(payload, r.staleTarget(c))
	case modeLease:
		err = c.p.SubmitRead(payload) // under the primary's lease, or through the log
	default:
		err = c.p.Submit(payload)
	}
	if err != nil {
		panic(fmt.Sprintf("client %d: %v", i, err)) // busy was checked
	}
	c.busy, c.started = true, r.now
	c.incs = c.incs[:0]
	for _, rep := range r.replicas {
		c.incs = append(c.incs, rep.inc)
	}
	c.hid = r.hist.beginAs(i, cmd, c.mode == modeStale)
	r.flushClient(c)
}

// pickMode chooses how a command travels: writes through the log, reads
// stale (in stale workloads), under a lease (mostly) or through the log.
func (r *run) pickMode(c *client, cmd kv.Command) requestMode {
	switch {
	case !cmd.ReadOnly():
		return modeApp
	case c.wl.stale > 0 && c.rng.Float64() < c.wl.stale:
		return modeStale
	case r.readers[c.idx] || r.chance(0.8):
		return modeLease
	}
	return modeApp
}

// staleTarget is the replica a stale read goes to: the client sticks to
// one (so that its reads meet what that replica answered before) and now
// and then moves, to the primary it believes in or to any replica.
func (r *run) staleTarget(c *client) int {
	if c.staleTo < 0 || c.rng.IntN(100) < 20 {
		c.staleTo = c.rng.IntN(r.n)
		if c.rng.IntN(2) == 0 {
			c.staleTo = c.p.Primary()
		}
	}
	c.staleTo = r.fullReplica(c.staleTo)
	return c.staleTo
}

// tickClient advances a client's clock and enforces the liveness bound
// once the network has healed.
func (r *run) tickClient(i int) {
	c := r.clients[i]
	c.p.Tick()
	r.flushClient(c)
	r.schedule(r.now+us(r.opts.Tick), event{kind: evClientTick, node: i})
	if c.busy && r.quiet {
		from := max(c.started, r.quietAt)
		if r.now-from > us(r.opts.LivenessBound) {
			r.violate(KindLiveness, "client %d request unanswered for %.0fms after the heal (submitted at %.3fms)",
				i, float64(r.now-from)/1000, float64(c.started)/1000)
		}
	}
}

// deliverReply hands a reply to its client.
func (r *run) deliverReply(e event) {
	if !r.arrives(e.from, r.n+e.node) {
		return
	}
	if e.node == len(r.clients) {
		r.adminReply(e.from, e.msg.(*message.Reply))
		return
	}
	c := r.clients[e.node]
	c.from = e.from
	c.p.Handle(e.msg.(*message.Reply))
	r.flushClient(c)
	c.from = -1
}

// flushClient sends what the proxy produced and records completions.
func (r *run) flushClient(c *client) {
	out := c.p.Output()
	for _, s := range out.Sends {
		r.send(r.n+c.idx, s.To, s.Req)
	}
	for _, d := range out.Done {
		r.complete(c, d)
	}
}

// complete records the end of c's operation and schedules its next one.
func (r *run) complete(c *client, d proxy.Completion) {
	switch d.Status {
	case message.StatusOK:
		res, err := kv.DecodeResult(d.Result)
		if err != nil || res.Code != kv.CodeOK {
			r.violate(KindProtocol, "client %d got a bad result %x (%v, code %v)", c.idx, d.Result, err, res.Code)
			return
		}
		cmd := r.hist.cmds[c.hid]
		res = r.plantResult(c, cmd, res)
		r.learnVersions(c, cmd, res)
		r.hist.end(c.hid, res, r.source(c))
		if c.mode == modeApp {
			r.acked = append(r.acked, ackedRequest{client: uint64(c.idx + 1), request: d.RequestNum})
		}
		r.res.OpsCompleted++
	case message.StatusSessionEvicted:
		r.hist.evicted(c.hid)
		r.res.Evictions++
	default:
		r.violate(KindProtocol, "client %d request rejected (status %d)", c.idx, d.Status)
		return
	}
	c.busy = false
	r.schedule(r.now+r.between(0, maxThink), event{kind: evClientStart, node: c.idx})
}

// source identifies the replica incarnation that answered c's operation,
// 0 if the replica restarted since the submission (or is not known).
func (r *run) source(c *client) uint64 {
	if c.from < 0 || c.from >= len(c.incs) {
		return 0
	}
	inc := r.replicas[c.from].inc
	if inc != c.incs[c.from] {
		return 0
	}
	return uint64(c.from+1)<<32 | uint64(inc)
}

// learnVersions remembers the versions a result reports, for later CAS.
func (r *run) learnVersions(c *client, cmd kv.Command, res kv.Result) {
	switch cmd.Kind {
	case kv.KindBatch:
		for i, sub := range cmd.Batch {
			if i < len(res.Batch) {
				r.learnVersions(c, sub, res.Batch[i])
			}
		}
	case kv.KindScan, kv.KindScanPrefix:
		for _, it := range res.Items {
			c.versions[string(it.Key)] = it.Version
		}
	case kv.KindDelete:
		c.versions[string(cmd.Key)] = 0
	case kv.KindGet:
		c.versions[string(cmd.Key)] = 0
		if res.Found {
			c.versions[string(cmd.Key)] = res.Version
		}
	case kv.KindPut, kv.KindCAS:
		c.versions[string(cmd.Key)] = res.Version
	}
}
