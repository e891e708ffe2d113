package node

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/storage"
	"github.com/vr-go/vr/transport"
)

// maxClientRoutes bounds the reply routing table; past it the table is
// cleared and clients are found again from their next request.
const maxClientRoutes = 1 << 16

// Node is one running replica.
type Node struct {
	cfg       Config
	log       *slog.Logger
	replica   *core.Replica
	sm        core.StateMachine
	transport *transport.Transport
	clients   map[uint64]*transport.ClientConn
	statusReq chan chan Status
	status    atomic.Pointer[Status]
	info      atomic.Pointer[core.Info] // the latest Info, for metrics
	kvMemory  atomic.Pointer[kv.Memory] // the store's memory, for metrics (kvmemory.go)
	metrics   *metrics
	last      core.Info
	storage   *storage.Storage // nil when diskless
	drv       *driver.Driver   // the loop body, shared with the simulator
	ckpts     *ckptWriter      // writes checkpoints off the loop, serves them
	installs  *installer       // installs fetched checkpoints off the loop
	discard   *discarder       // removes stale checkpoint files off the loop
	stall     stallWatch       // times the loop's iterations (loop goroutine only)
	memLimit  *memLimit        // the process's memory limit (memlimit.go)
	flushed   bool             // the first Output (which carries a restart's work) was sent
	forbidden atomic.Uint64    // client requests refused for their role (authz.go)
	book      map[uint8]string // id → address (addrbook.go); loop goroutine only
	retired   bool             // the replica reported Output.Retire: Run returns
	roleErr   error            // a configuration named this joiner with a role it cannot take (role.go)
}

// New validates cfg and builds the node. Run starts it.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Seed == 0 {
		var b [8]byte
		if _, err := crand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("node: seed: %w", err)
		}
		cfg.Seed = binary.LittleEndian.Uint64(b[:])
	}
	walm := newWALMetrics()
	discard := newDiscarder()
	var st *storage.Storage
	var restart *core.Durable
	if cfg.DataDir != "" {
		var err error
		if st, restart, err = openStorage(&cfg, walm, discard); err != nil {
			return nil, err
		}
	}
	sm, err := cfg.stateMachine()
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	if restart != nil {
		cfg.NewCluster = false // resuming from disk: the flag has no effect
	}
	if pct, ok := restoring(cfg.MemoryLimit); ok && restart != nil {
		old := debug.SetGCPercent(pct) // core.New restores the state from the disk
		defer debug.SetGCPercent(old)
	}
	replica, err := core.New(cfg.coreConfig(restart), sm)
	if err != nil {
		_ = st.Close()
		closeStateMachine(sm, cfg.Logger)
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	tr, err := transport.New(transport.Config{
		ClusterID: cfg.ClusterID, Self: cfg.Index, Peers: cfg.Peers,
		Listen: cfg.Listen, Logger: cfg.Logger, TLS: cfg.TLS,
	})
	if err != nil {
		_ = st.Close()
		closeStateMachine(sm, cfg.Logger)
		return nil, err
	}
	n := &Node{storage: st, discard: discard,
		cfg: cfg, log: cfg.Logger.With("replica", cfg.Index), replica: replica,
		sm: sm, transport: tr, clients: map[uint64]*transport.ClientConn{},
		statusReq: make(chan chan Status),
	}
	n.metrics = newMetrics(n, walm)
	n.memLimit = newMemLimit(cfg.MemoryLimit, sm, n.log)
	n.initBook()
	n.publish()
	return n, nil
}

// Start binds the listener; call it before Run to learn about a busy port
// early. Run calls it if it was not called.
func (n *Node) Start(ctx context.Context) error {
	if n.transport.Addr() != nil {
		return nil
	}
	return n.transport.Start(ctx)
}

// Addr is the address the node listens on, once started.
func (n *Node) Addr() net.Addr { return n.transport.Addr() }

// Run drives the replica until ctx ends, then closes the transport.
func (n *Node) Run(ctx context.Context) error {
	if err := n.Start(ctx); err != nil {
		return err
	}
	defer n.closeStateMachine() // last: checkpoint writers and installs read it
	defer n.transport.Close()
	defer n.storage.Close()
	if n.cfg.SlowTraceDir != "" {
		tracer, err := startStallTracer(n.cfg.SlowTraceDir, n.log)
		if err != nil {
			return err
		}
		n.stall.tracer = tracer
		defer tracer.stop()
	}
	n.discard.start()
	defer n.discard.close() // after the checkpoint writer's close, before the storage's
	if n.storage != nil {
		go syncLoop(ctx, n.storage)
	}
	var ckptDone <-chan ckptDone // nil for a witness: it takes no checkpoints
	var installDone <-chan *core.Install
	if !n.cfg.IsWitness() {
		ckpts, err := newCkptWriter(n.storage, n.log, n.discard)
		if err != nil {
			return err
		}
		ckpts.stagger(n.cfg.Index, len(n.cfg.Peers))
		n.ckpts, ckptDone = ckpts, ckpts.done
		defer ckpts.close() // before the storage closes: it may be writing there
		n.installs = newInstaller(ckpts, n.log)
		installDone = n.installs.done
		defer n.installs.close() // first: it reads the writer's directory
	}
	n.log.Info("replica started", "listen", n.Addr().String(), "replicas", len(n.cfg.Peers),
		"role", n.replica.Info().Role.String(),
		"status", n.replica.Info().Status.String(), "new_cluster", n.cfg.NewCluster,
		"data_dir", n.cfg.DataDir, "sync", n.cfg.Sync)
	start := time.Now()
	elapsed := func() time.Duration { return time.Since(start) }
	n.drv = driver.New(n.replica, n.driverConfig())
	ticker := time.NewTicker(n.cfg.Tick)
	defer ticker.Stop()
	recv := n.transport.Receive()
	stall := &n.stall
	for {
		select {
		case <-ctx.Done():
			n.log.Info("replica stopping")
			return nil
		case <-ticker.C:
			// What queued while the loop was busy is read before the
			// timers fire (driver.Flush): after a stall, a backup
			// hears from its primary before it checks its timeout.
			stall.begin("tick", n.replica.Executed())
			n.drv.Drain(elapsed, stall.timed(drainFor(n.queued(recv), elapsed, maxDrainTime)), maxDrain)
			stall.mark("drained")                 // the rest sizes the state machine
			installing := n.installs.installing() // its goroutine owns the state
			n.memLimit.update(installing)
			if !installing {
				n.publishMemory()
			}
		case in := <-recv:
			stall.begin("drain", n.replica.Executed())
			n.drv.Drain(elapsed, stall.timed(drainFor(n.inputs(in, recv), elapsed, maxDrainTime)), maxDrain)
		case reply := <-n.statusReq:
			stall.begin("status", n.replica.Executed())
			reply <- n.fullStatus()
		case d := <-ckptDone:
			stall.begin("checkpoint saved", n.replica.Executed())
			if err := n.ckpts.finish(d); err != nil {
				n.log.Error("stopping: the checkpoint cannot be written", "err", err)
				return err
			}
			stall.mark("finished") // the rest truncates the log
			// A lazily saved one was reported when taken (ckptlazy.go).
			if !d.reported {
				n.drv.CheckpointSaved(d.op)
			}
		case in := <-installDone:
			stall.begin("checkpoint installed", n.replica.Executed())
			n.installs.finished()
			n.drv.Installed(in)
		}
		n.reportLazySaves()
		stall.end(n.log, n.replica.Executed())
		if err := n.drv.Failed(); err != nil {
			n.log.Error("stopping: the log cannot be written", "err", err)
			return err
		}
		n.observe()
		if n.retired || n.leftBehind() {
			n.logRetired()
			return nil
		}
		if n.roleErr != nil {
			n.log.Error("stopping: wrong role", "err", n.roleErr)
			return n.roleErr
		}
	}
}

// reportLazySaves tells the replica about the checkpoints a diskless
// replica saved as it took them (ckptlazy.go); reporting one may take
// another.
func (n *Node) reportLazySaves() {
	for ops := n.ckpts.takeSaved(); len(ops) > 0; ops = n.ckpts.takeSaved() {
		for _, op := range ops {
			n.drv.CheckpointSaved(op)
		}
	}
}

// maxDrain bounds the inputs handled before one Output.
const maxDrain = 1025

// maxDrainTime bounds the time spent stepping inputs before one Output.
// A backup that fell behind (after a stall, with thousands of Prepares
// queued) stepped 1,025 of them, executing each, for up to 880 ms before
// its one PrepareOK left; when both backups did, the primary committed
// nothing meanwhile and then executed the whole backlog in one step
// (slow-loop logs of the eighth session's sustained run: PrepareOK steps
// of 100-240 ms at the primary). Acknowledgements now leave at least
// every few milliseconds of work.
const maxDrainTime = 5 * time.Millisecond

// drainFor yields next's inputs until budget has passed since the first
// call (the first input is always yielded).
func drainFor(next func() (message.Message, bool), now func() time.Duration, budget time.Duration) func() (message.Message, bool) {
	var start time.Duration
	started := false
	return func() (message.Message, bool) {
		if !started {
			start, started = now(), true
		} else if now()-start >= budget {
			return nil, false
		}
		return next()
	}
}

// Inbound is the transport's inbound message type.
type Inbound = transport.Inbound

// inputs yields first, then whatever else is already queued, so that one
// Output carries many messages (the transport coalesces them into few
// writes). It answers requests the client's role does not allow itself
// (refuse), and remembers where each client's requests come from.
func (n *Node) inputs(first Inbound, recv <-chan Inbound) func() (message.Message, bool) {
	rest := n.queued(recv)
	pending := true
	return func() (message.Message, bool) {
		if pending {
			pending = false
			if n.admit(first) {
				return first.Msg, true
			}
		}
		return rest()
	}
}

// queued yields the inputs already queued on recv, without waiting.
func (n *Node) queued(recv <-chan Inbound) func() (message.Message, bool) {
	return func() (message.Message, bool) {
		for {
			select {
			case in := <-recv:
				if !n.admit(in) {
					continue
				}
				return in.Msg, true
			default:
				return nil, false
			}
		}
	}
}

// admit routes an input to the replica, or answers or refuses it here
// (refuse, answerConfig, refuseReconfig) and reports false.
func (n *Node) admit(in Inbound) bool {
	if in.Lost {
		n.drv.PeerLost(in.From)
		return false
	}
	if n.refuse(in) || n.answerConfig(in) || n.refuseReconfig(in) {
		return false
	}
	n.route(in)
	return true
}

// route records where a client's replies go, and logs replica traffic.
func (n *Node) route(in Inbound) {
	if in.From >= 0 {
		logMessage(n.log, "recv", in.From, in.Msg)
		n.learnFrom(in.Msg)
		return
	}
	if req, ok := in.Msg.(*message.Request); ok && in.Client != nil {
		if len(n.clients) >= maxClientRoutes {
			clear(n.clients)
		}
		n.clients[req.ClientID] = in.Client
		n.metrics.requestArrived(req)
	}
}

// logRestores logs every checkpoint the replica installed: from its disk
// when it started, from a peer otherwise.
func (n *Node) logRestores(out core.Output) {
	if n.flushed && out.Checkpoint == nil { // a peer's install hands over its checkpoint
		return
	}
	for _, a := range out.Applied {
		if !a.Restored {
			continue
		}
		if !n.flushed {
			n.log.Info("state loaded from the checkpoint on disk", "op", a.Entry.Op)
		} else {
			n.log.Info("state installed from a checkpoint fetched from a peer", "op", a.Entry.Op)
		}
	}
	n.flushed = true
}
