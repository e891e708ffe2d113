package node

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
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
	store     *kv.Store
	transport *transport.Transport
	clients   map[uint64]*transport.ClientConn
	statusReq chan chan Status
	status    atomic.Pointer[Status]
	last      core.Info
	storage   *storage // nil when diskless
	clock     tickClock
	flushed   bool  // the first Output (which carries a restart's work) was sent
	failed    error // a write failed: the replica must stop
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
	var st *storage
	var restart *core.Durable
	if cfg.DataDir != "" {
		var err error
		if st, restart, err = openStorage(&cfg); err != nil {
			return nil, err
		}
	}
	store := kv.New(cfg.KVLimits)
	if restart != nil {
		cfg.NewCluster = false // resuming from disk: the flag has no effect
	}
	replica, err := core.New(cfg.coreConfig(restart), store)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	tr, err := transport.New(transport.Config{
		ClusterID: cfg.ClusterID, Self: cfg.Index, Peers: cfg.Peers,
		Listen: cfg.Listen, Logger: cfg.Logger,
	})
	if err != nil {
		st.close()
		return nil, err
	}
	n := &Node{storage: st,
		cfg: cfg, log: cfg.Logger.With("replica", cfg.Index), replica: replica,
		store: store, transport: tr, clients: map[uint64]*transport.ClientConn{},
		statusReq: make(chan chan Status),
	}
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
	defer n.transport.Close()
	defer n.storage.close()
	if n.storage != nil {
		go n.storage.syncLoop(ctx)
	}
	n.log.Info("replica started", "listen", n.Addr().String(), "replicas", len(n.cfg.Peers),
		"status", n.replica.Info().Status.String(), "new_cluster", n.cfg.NewCluster,
		"data_dir", n.cfg.DataDir, "sync", n.cfg.Sync)
	n.clock = newTickClock(n.cfg.Tick, n.cfg.ViewChangeTicks)
	ticker := time.NewTicker(n.cfg.Tick)
	defer ticker.Stop()
	recv := n.transport.Receive()
	for {
		select {
		case <-ctx.Done():
			n.log.Info("replica stopping")
			return nil
		case <-ticker.C:
			n.catchUp()
		case in := <-recv:
			n.catchUp()
			n.handle(in)
			n.drain(recv)
		case reply := <-n.statusReq:
			reply <- n.fullStatus()
		}
		n.flush()
		if n.failed != nil {
			n.log.Error("stopping: the log cannot be written", "err", n.failed)
			return n.failed
		}
		n.observe()
	}
}

// drain handles what else is already queued, so one Output carries many
// messages (the transport coalesces them into few writes). The clock
// catches up before every input, not once per drain: a step that took long
// (a checkpoint, a GC pause) must not leave later inputs with a stale clock
// (review finding C: a backup would date its read-lease promise too early,
// a primary would answer reads against an old time).
func (n *Node) drain(recv <-chan Inbound) {
	for i := 0; i < 1024; i++ {
		select {
		case in := <-recv:
			n.catchUp()
			n.handle(in)
		default:
			return
		}
	}
}

// Inbound is the transport's inbound message type.
type Inbound = transport.Inbound

func (n *Node) handle(in Inbound) {
	if in.From < 0 {
		if req, ok := in.Msg.(*message.Request); ok && in.Client != nil {
			if len(n.clients) >= maxClientRoutes {
				clear(n.clients)
			}
			n.clients[req.ClientID] = in.Client
		}
	} else {
		logMessage(n.log, "recv", in.From, in.Msg)
	}
	n.replica.Step(in.Msg)
}

// flush makes what the replica changed durable (durable mode), then sends
// everything it produced. In sync mode Prepares leave before the write:
// they promise nothing, and the primary counts its own copy only once
// Persisted says it is durable, so its fsync overlaps the backups'.
func (n *Node) flush() {
	out := n.replica.Output()
	n.logRestores(out)
	early := n.storage != nil && n.storage.mode == SyncAlways
	if early {
		n.sendMessages(out, func(isPrepare bool) bool { return isPrepare })
	}
	if n.storage != nil {
		if err := n.storage.persist(out, n.replica.Info().Status); err != nil {
			n.failed = err
			return // nothing that depends on the lost write may leave
		}
	}
	n.sendMessages(out, func(isPrepare bool) bool { return !early || !isPrepare })
	for _, rep := range out.Replies {
		if conn := n.clients[rep.ClientID]; conn != nil {
			conn.Send(rep)
		}
	}
	if early && n.replica.Persisted(out.Seq) {
		n.flush() // what counting the primary's own copy committed
	}
}

// sendMessages sends the messages of out that pick selects, by whether
// they are Prepares.
func (n *Node) sendMessages(out core.Output, pick func(isPrepare bool) bool) {
	for _, env := range out.Messages {
		if _, ok := env.Msg.(*message.Prepare); pick(ok) {
			logMessage(n.log, "send", env.To, env.Msg)
			n.transport.Send(env.To, env.Msg)
		}
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
