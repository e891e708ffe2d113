package sim

import (
	"fmt"

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

// client is one simulated application client driving a VR proxy.
type client struct {
	idx      int
	p        *proxy.Proxy
	busy     bool
	hid      int   // history id of the operation in flight
	started  int64 // when it was submitted
	versions map[string]uint64
	values   int // counter making every written value unique
	// leaseRead: the operation in flight is a KindRead, which may be
	// answered without entering the log.
	leaseRead bool
}

// setupClients creates the clients and schedules their first operations.
func (r *run) setupClients() {
	retry, broadcast := clientRetryTicks, clientBroadcastAfter
	if r.opts.Faults.EagerClients {
		retry, broadcast = 1, 1
	}
	for i := 0; i < r.opts.Clients; i++ {
		p, err := proxy.New(proxy.Config{
			ReplicaCount: r.n, ClientID: uint64(i + 1),
			RetryTicks: retry, BroadcastAfter: broadcast,
		})
		if err != nil {
			panic(err)
		}
		r.clients = append(r.clients, &client{idx: i, p: p, versions: map[string]uint64{}})
		r.schedule(r.between(0, maxThink), event{kind: evClientStart, node: i})
		r.schedule(r.between(1, us(r.opts.Tick)), event{kind: evClientTick, node: i})
	}
}

// startOp submits a random operation, unless the run is draining.
func (r *run) startOp(i int) {
	c := r.clients[i]
	if c.busy || r.now >= r.drainAt {
		return
	}
	cmd := r.randomCommand(c)
	submit := c.p.Submit
	c.leaseRead = cmd.Kind == kv.KindGet && (r.readers[i] || r.chance(0.8))
	if c.leaseRead {
		submit = c.p.SubmitRead // under the primary's lease, or through the log
	}
	if err := submit(cmd.Encode()); err != nil {
		panic(fmt.Sprintf("client %d: %v", i, err)) // busy was checked
	}
	c.busy, c.started = true, r.now
	c.hid = r.hist.begin(i, cmd)
	r.flushClient(c)
}

// randomCommand picks an operation on the small key set, so that
// operations conflict often.
func (r *run) randomCommand(c *client) kv.Command {
	key := fmt.Sprintf("k%d", r.rng.IntN(r.opts.Keys))
	c.values++
	value := []byte(fmt.Sprintf("c%d-%d", c.idx, c.values))
	if r.readers[c.idx] {
		return kv.NewGet([]byte(key))
	}
	switch x := r.rng.IntN(100); {
	case x < 30:
		return kv.NewGet([]byte(key))
	case x < 60:
		return kv.NewPut([]byte(key), value)
	case x < 75:
		return kv.NewDelete([]byte(key))
	default:
		expected := c.versions[key]
		if r.chance(0.2) {
			expected = 0
		}
		return kv.NewCAS([]byte(key), expected, value)
	}
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
	c := r.clients[e.node]
	c.p.Handle(e.msg.(*message.Reply))
	r.flushClient(c)
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
		r.learnVersion(c, res)
		r.hist.end(c.hid, res)
		if !c.leaseRead {
			r.acked = append(r.acked, ackedRequest{client: uint64(c.idx + 1), request: d.RequestNum})
		}
		r.res.OpsCompleted++
	case message.StatusSessionEvicted:
		r.hist.unknown(c.hid)
		r.res.Evictions++
	default:
		r.violate(KindProtocol, "client %d request rejected (status %d)", c.idx, d.Status)
		return
	}
	c.busy = false
	r.schedule(r.now+r.between(0, maxThink), event{kind: evClientStart, node: c.idx})
}

// learnVersion remembers the version a result reports, for later CAS.
func (r *run) learnVersion(c *client, res kv.Result) {
	key := string(r.hist.cmds[c.hid].Key)
	switch {
	case res.Kind == kv.KindDelete || (res.Kind == kv.KindGet && !res.Found):
		c.versions[key] = 0
	case res.Kind == kv.KindGet || res.Kind == kv.KindPut || res.Kind == kv.KindCAS:
		c.versions[key] = res.Version
	}
}
