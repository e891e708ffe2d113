package sim

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/vr-go/vr/message"
)

// run is the state of one simulation.
type run struct {
	opts Options
	rng  *rand.Rand
	n, f int
	// witness marks the witnesses by index; nil when there are none.
	witness []bool

	now   int64 // simulated microseconds
	seq   uint64
	queue eventQueue
	trace uint64

	// sentOps is, per link between replicas, the highest op a Prepare
	// carried on it, in fault-free profiles (faultfree.go).
	sentOps map[[2]int]uint64

	quietAt int64 // when the fault phase ends
	drainAt int64 // when clients stop submitting
	endAt   int64 // when the run ends
	// readers are clients that only read, by index (scripted scenarios).
	readers map[int]bool
	// freshJoiners boots joiners as the paper's new members, which never
	// took part in the epoch they join and so need no recovery (a durable
	// joiner's empty disk would prove it); otherwise a joiner without a
	// durable state recovers once it joined, as the node's do. Scripted
	// scenarios of other properties use it.
	freshJoiners bool
	quiet        bool

	bootstrap bool   // the cluster is created with the NewCluster handshake
	sessions  int    // client-table bound given to the replicas (0: default)
	ckptEvery uint64 // checkpoint interval given to the replicas (0: none)
	ckptChunk int    // checkpoint chunk size given to the replicas
	segSize   int64  // durable: the log's segment size
	prepared  bool   // durable: the logs prepare their segments
	slowDisk  int    // durable: the replica whose disk is slow throughout (-1: none)
	// crashMidWrite: the crash under way is aimed into a checkpoint's
	// write (Faults.CrashInCheckpoint).
	crashMidWrite bool
	// storageFailed: a replica's storage returned an error to its driver,
	// which stopped (stopFailed stops the replica after the event).
	storageFailed bool
	replay        string // overrides the replay command (scripted test runs)

	net      network
	replicas []*replica
	clients  []*client
	chk      checker
	hist     history
	mon      monitor
	ep       episode
	adm      admin // reconfiguration runs (reconfig.go)

	res   Result
	viol  *Violation
	acked []ackedRequest // requests answered with a result
}

// ackedRequest identifies a request a client got a result for.
type ackedRequest struct{ client, request uint64 }

func newRun(o Options) *run {
	r := &run{opts: o, rng: newRng(o.Seed), n: o.Replicas, f: (o.Replicas - 1) / 2}
	nodes := r.n + o.Clients
	if o.Faults.Reconfig {
		// Slots for every replica any configuration may hold, and the
		// administrator after the clients. Configurations have 3 members
		// or more, so one replica may be down at any time (reconfig.go).
		r.n, r.f, r.adm.initial = reconfigPool, 1, o.Replicas
		nodes = r.n + o.Clients + 1
	}
	r.quietAt = us(o.FaultDuration)
	r.endAt = r.quietAt + us(o.QuietDuration)
	r.drainAt = r.endAt - us(o.Drain)
	r.trace = fnvOffset
	r.net.init(nodes)
	r.chk.init()
	r.initHistory()
	r.mon.init(r.n)
	r.res.Seed, r.res.Replicas, r.res.Clients, r.res.Profile = o.Seed, r.n, o.Clients, o.Faults.Name
	return r
}

// schedule adds e to the agenda at time at.
func (r *run) schedule(at int64, e event) {
	e.at = at
	r.seq++
	e.seq = r.seq
	r.queue.push(e)
}

// start sets up the cluster, the clients and the first fault events.
func (r *run) start() {
	r.setupCluster()
	r.setupClients()
	r.setupAdmin()
	r.setupFaults()
	r.schedule(r.quietAt, event{kind: evQuiet})
	r.logf("start: %d replicas, %d clients, profile %s, max sessions %d",
		r.n, len(r.clients), r.opts.Faults.Name, r.maxSessions())
}

// runUntil runs events up to time t (or the end of the run), stopping at
// the first violation. A panic in the core (or the checks) becomes a
// violation.
func (r *run) runUntil(t int64) {
	defer func() {
		if p := recover(); p != nil {
			r.violate(KindPanic, "%v", p)
		}
	}()
	t = min(t, r.endAt)
	for r.queue.len() > 0 && r.viol == nil && r.queue.next() <= t {
		e := r.queue.pop()
		r.now = e.at
		r.res.Steps++
		r.hashEvent(e)
		r.dispatch(e)
		if r.storageFailed {
			r.storageFailed = false
			r.stopFailed()
		}
	}
	if r.viol == nil {
		r.now = t
	}
}

// finish runs the end-of-run checks and returns the summary.
func (r *run) finish() (Result, error) {
	if r.viol == nil {
		r.finalChecks()
	}
	r.finishResult()
	if r.viol != nil {
		r.logf("VIOLATION %v", r.viol)
		return r.res, r.viol
	}
	return r.res, nil
}

func (r *run) dispatch(e event) {
	switch e.kind {
	case evDeliver:
		r.deliver(e)
	case evReply:
		r.deliverReply(e)
	case evTick:
		r.tickReplica(e)
	case evClientTick:
		r.tickClient(e.node)
	case evClientStart:
		r.startOp(e.node)
	case evEpoch:
		r.newEpoch()
	case evCrash:
		r.crashEvent()
	case evPeerLost:
		r.peerLost(e)
	case evRestart:
		r.restartEvent(e)
	case evQuiet:
		r.beginQuiet()
	case evEpisode:
		r.episodeStep(e.node)
	case evDiskDone:
		r.diskDone(e)
	case evClusterCrash:
		r.clusterCrashEvent(e)
	case evStart:
		r.startUnborn(r.replicas[e.node])
	case evDrain:
		r.drainEvent(e)
	case evCkptSaved:
		r.ckptSaved(e)
	case evCkptKept:
		r.ckptKept(e)
	case evBaseSaved:
		r.baseSaved(e)
	case evInstalled:
		r.installed(e)
	case evAdmin:
		r.adminStep()
	case evTransmit:
		r.transmitted(e.from, e.node)
	}
}

// logf writes one line of the run's account, if logging is on.
func (r *run) logf(format string, args ...any) {
	if r.opts.Log == nil {
		return
	}
	line := fmt.Sprintf("%9.3fms ", float64(r.now)/1000) + fmt.Sprintf(format, args...) + "\n"
	io.WriteString(r.opts.Log, line)
}

// chance returns true with probability p; it draws nothing when p <= 0.
func (r *run) chance(p float64) bool {
	return p > 0 && r.rng.Float64() < p
}

// between returns a uniform value in [lo, hi].
func (r *run) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + r.rng.Int64N(hi-lo+1)
}

// FNV-1a 64-bit parameters for the trace hash.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// mix folds v into the trace hash, byte by byte from the lowest (FNV-1a).
// The eight steps are written out: it runs several times per event.
func (r *run) mix(v uint64) {
	h := r.trace
	h = (h ^ v&0xff) * fnvPrime
	h = (h ^ v>>8&0xff) * fnvPrime
	h = (h ^ v>>16&0xff) * fnvPrime
	h = (h ^ v>>24&0xff) * fnvPrime
	h = (h ^ v>>32&0xff) * fnvPrime
	h = (h ^ v>>40&0xff) * fnvPrime
	h = (h ^ v>>48&0xff) * fnvPrime
	h = (h ^ v>>56) * fnvPrime
	r.trace = h
}

// hashEvent folds one event into the trace hash.
func (r *run) hashEvent(e event) {
	r.mix(uint64(e.at))
	r.mix(uint64(e.kind)<<48 | uint64(e.node)<<24 | uint64(e.from))
	if e.msg != nil {
		r.mix(uint64(e.msg.Type()))
		r.mix(msgKey(e.msg))
	}
}

// msgKey is a cheap fingerprint of a message's main numbers.
func msgKey(m message.Message) uint64 { return message.Fingerprint(m) }
