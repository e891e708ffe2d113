package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/node"
	"github.com/vr-go/vr/wal"
)

type serverFlags struct {
	index                       int
	cluster, listen, statusAddr string
	advertise                   string
	statusAddrs                 string
	clusterID                   uint64
	tick, heartbeat, viewTO     time.Duration
	lease                       time.Duration
	preallocate                 bool
	retry                       time.Duration
	maxSessions                 int
	checkpointInterval          uint64
	checkpointBytes             int
	maxMessageBytes             int
	retainLogBytes              int
	maxClockDrift               float64
	segmentSize                 int64
	baseRate                    int64
	memoryLimit                 string
	slowTraceDir                string
	newCluster                  bool
	enablePprof                 bool
	logLevel, logFormat         string
	dataDir, sync               string
	gw                          gatewayFlags
	statusKV                    bool
	tls                         tlsFlags
	insecure                    bool
	witness                     bool
	witnesses                   string
	join                        bool
	standby                     bool
	id                          int
	adminSecretFile             string
	engine                      engineFlags
}

func init() { register(newServerCmd) }

func newServerCmd() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run one replica of a cluster",
		Long: `server runs one replica of a vr cluster: diskless as in the paper, or
durable with --data-dir.

Every flag can also come from an environment variable VR_<FLAG>, for example
VR_INDEX=0 VR_CLUSTER=10.0.0.1:8000,10.0.0.2:8000,10.0.0.3:8000.

The first time a cluster starts, start every replica with --new-cluster: each
waits until all the others confirm they are new too. Without --new-cluster a
replica assumes it lost its state in a crash and recovers from the others.
Passing --new-cluster to a restarted replica is safe: it notices the running
cluster and recovers instead.

To add a replica to a running cluster, start it with --join --id N --listen
ADDR --cluster (addresses of members it knows, id=host:port or epoch 0's
host:port list), then run vr reconfigure --add N=ADDR: it fetches the new
epoch's state and takes part. With --join --witness it holds no state and
is added with vr reconfigure --add-witness N=ADDR. With --join --standby it
is a standby (vr reconfigure --add-standby N=ADDR) and, given
--admin-secret-file, asks the cluster to add it itself. A replica that a reconfiguration removes
exits with status 0 once the new configuration holds the state.
Reconfigurations are accepted only with the cluster's admin secret
(--admin-secret-file, the same file on every replica and for vr reconfigure).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			return runServer(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.index, "index", -1, "this replica's index in --cluster (0-based)")
	fl.StringVar(&f.cluster, "cluster", "", "every replica's host:port, comma-separated, in the same order on every replica")
	fl.StringVar(&f.listen, "listen", "", "listen address (default: this replica's --cluster address)")
	fl.StringVar(&f.advertise, "advertise", "", "the address peers and clients are given for this replica, when --listen is not it (0.0.0.0, NAT): a member's must be its --cluster entry; a joiner's goes into the reconfiguration that adds it (default: --listen)")
	fl.StringVar(&f.statusAddr, "status-addr", "", "HTTP status address (default: same host, port+1000; \"off\" disables)")
	fl.BoolVar(&f.enablePprof, "enable-pprof", false, "serve Go's runtime profiles (CPU, heap, allocations, goroutines) under /debug/pprof/ on the status endpoint")
	fl.StringVar(&f.statusAddrs, "status-addrs", "", "every replica's status address, comma-separated in --cluster order, for the status page's cluster view (default: each replica's port+1000 when --status-addr is default)")
	fl.Uint64Var(&f.clusterID, "cluster-id", 0, "cluster id carried by every frame; frames of other clusters are refused")
	fl.DurationVar(&f.tick, "tick", node.DefaultTick, "protocol tick")
	fl.DurationVar(&f.heartbeat, "heartbeat", core.DefaultHeartbeatTicks*node.DefaultTick, "primary heartbeat interval when idle")
	fl.DurationVar(&f.viewTO, "view-timeout", core.DefaultViewChangeTicks*node.DefaultTick, "time without the primary before a view change (jittered up to 2x)")
	fl.DurationVar(&f.lease, "read-lease", 0, "how long a backup's read-lease promise to its primary lasts; a crashed primary is replaced about this long after its last message (default: half of --view-timeout)")
	fl.DurationVar(&f.retry, "retry", core.DefaultRetryTicks*node.DefaultTick, "retransmission interval")
	fl.IntVar(&f.maxSessions, "max-sessions", core.DefaultMaxSessions, "client-table bound")
	fl.Uint64Var(&f.checkpointInterval, "checkpoint-interval", node.DefaultCheckpointInterval,
		"ops between checkpoints; the log before the previous checkpoint is dropped")
	fl.IntVar(&f.checkpointBytes, "checkpoint-bytes", core.DefaultCheckpointBytes,
		"bytes of log between checkpoints: a checkpoint is taken at --checkpoint-interval ops or this many bytes, whichever comes first")
	fl.IntVar(&f.maxMessageBytes, "max-message-bytes", core.DefaultMaxMessageBytes,
		"bound on any message between replicas (at most 32 MiB); the in-memory log is bounded to fit one; at least 2×--checkpoint-bytes + 4 MiB + 142")
	fl.IntVar(&f.retainLogBytes, "retain-log-bytes", node.DefaultRetainLogBytes,
		"committed log kept beyond the in-memory log, in bytes, from which a backup that fell behind its primary's log catches up instead of fetching a checkpoint (0: none)")
	fl.Float64Var(&f.maxClockDrift, "max-clock-drift", node.DefaultMaxClockDrift,
		"bound on how fast or slow any replica's clock may run, as a fraction; read leases are safe only within it")
	fl.Int64Var(&f.segmentSize, "segment-size", wal.DefaultSegmentSize,
		"durable mode: size of a log segment file in bytes; the log is truncated a segment at a time")
	fl.BoolVar(&f.preallocate, "preallocate", true, "durable mode: prepare each next log segment as a file of zeros in the background, so that a sync writes data only (it doubles the log's writes)")
	fl.Int64Var(&f.baseRate, "checkpoint-base-rate", node.DefaultCheckpointBaseRate,
		"durable mode: bytes per second at which a new checkpoint base is written in the background, so that the log's fsyncs do not wait behind it (0: as fast as the disk takes it)")
	fl.StringVar(&f.slowTraceDir, "slow-trace-dir", "",
		"keep the last seconds of the process's execution trace in memory and write them to a file in this directory when the replica's loop has a slow iteration (at most one every 10s, 20 in all; read with go tool trace)")
	fl.StringVar(&f.memoryLimit, "memory-limit", "auto",
		"soft memory limit of the process: auto (2 × the state's data bytes + 128 MiB, at least 512 MiB, following the state), off (Go's default), or bytes, e.g. 2GiB; a GOMEMLIMIT environment variable wins")
	fl.BoolVar(&f.newCluster, "new-cluster", false, "this is the first start of a new cluster")
	fl.StringVar(&f.witnesses, "witnesses", "", "indexes of the cluster's witnesses (log only, never primary), comma-separated, at most f; the same on every replica")
	fl.BoolVar(&f.witness, "witness", false, "run this replica as a witness: no state machine, no checkpoints; its --index must be in --witnesses (with --join: a witness that vr reconfigure --add-witness adds)")
	fl.BoolVar(&f.join, "join", false, "start a new replica that a reconfiguration will add (vr reconfigure --add ID=ADDR): needs --id, --listen and --cluster with members' addresses")
	fl.BoolVar(&f.standby, "standby", false, "with --join: a standby (follows the log and the state, votes nowhere, never primary); with --admin-secret-file it asks the cluster to add it (as vr reconfigure --add-standby does), else it prints the command")
	fl.IntVar(&f.id, "id", -1, "--join: this replica's id, one no replica of the cluster ever had")
	fl.StringVar(&f.adminSecretFile, "admin-secret-file", "", "file holding the cluster's admin secret (at least 16 bytes): reconfigurations must carry its MAC; without it every reconfiguration is refused")
	fl.StringVar(&f.dataDir, "data-dir", "", "durable mode: keep the log and the replica's promises in this directory")
	fl.StringVar(&f.sync, "sync", "sync", "durable mode's sync policy: sync (durable before any reply) or async (synced every 50ms; may lose recent writes)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error (debug shows every protocol message)")
	fl.StringVar(&f.logFormat, "log-format", "text", "text or json")
	f.gw.register(fl)
	f.engine.register(fl)
	fl.BoolVar(&f.statusKV, "status-kv-api", true, "serve the HTTP/JSON API (/v1/kv) on the status address too (plaintext without roles: off, and refused, under TLS)")
	f.tls.register(cmd, "this replica's")
	fl.BoolVar(&f.insecure, "insecure", false, "run without TLS on a non-loopback address: anyone who reaches it can read, write and forge messages")
	return cmd
}

// nodeConfig turns flags into a validated node configuration.
func (f serverFlags) nodeConfig(logger *slog.Logger) (node.Config, error) {
	var peers []string
	var err error
	if !f.join {
		if peers, err = splitCluster(f.cluster); err != nil {
			return node.Config{}, err
		}
	} else {
		peers = []string{f.listen} // replaced by joinConfig
	}
	if f.standby && !f.join {
		return node.Config{}, fmt.Errorf("--standby needs --join: a standby joins a running cluster (vr server --join --standby --id N --listen ADDR --cluster ...)")
	}
	if f.join && f.index >= 0 {
		return node.Config{}, fmt.Errorf("--join takes --id, not --index")
	}
	if f.join {
		f.index = 0
	}
	if f.index < 0 || f.index >= len(peers) {
		return node.Config{}, fmt.Errorf("--index %d is out of range: the cluster has %d replicas (0..%d)", f.index, len(peers), len(peers)-1)
	}
	if f.tick < time.Millisecond {
		return node.Config{}, fmt.Errorf("--tick %v is below 1ms", f.tick)
	}
	ticks := func(d time.Duration) int { return max(1, int(d/f.tick)) }
	cfg := node.Config{
		ClusterID: f.clusterID, Index: f.index, Peers: peers, Listen: f.listen, Tick: f.tick,
		HeartbeatTicks: ticks(f.heartbeat), ViewChangeTicks: ticks(f.viewTO), RetryTicks: ticks(f.retry),
		LeaseTicks:  leaseTicks(f.lease, f.tick),
		MaxSessions: f.maxSessions, NewCluster: f.newCluster, Logger: logger,
		CheckpointInterval: f.checkpointInterval, MaxClockDrift: f.maxClockDrift,
		CheckpointBytes: f.checkpointBytes, MaxMessageBytes: f.maxMessageBytes, RetainLogBytes: f.retainLogBytes,
		SegmentSize: f.segmentSize, CheckpointBaseRate: f.baseRate, NoPreallocate: !f.preallocate,
		DataDir: f.dataDir, Sync: node.SyncMode(f.sync),
	}
	if f.baseRate == 0 {
		cfg.CheckpointBaseRate = -1 // unpaced
	}
	if cfg.AdminSecret, err = f.adminSecret(); err != nil {
		return node.Config{}, err
	}
	if f.join {
		if cfg, err = f.joinConfig(cfg); err != nil {
			return node.Config{}, err
		}
	} else {
		if cfg.StatusAddrs, err = f.peerStatusAddrs(peers); err != nil {
			return node.Config{}, err
		}
		if cfg.Witnesses, err = f.witnessIndexes(len(peers)); err != nil {
			return node.Config{}, err
		}
	}
	if f.sync != string(node.SyncAlways) && f.sync != string(node.SyncAsync) {
		return node.Config{}, fmt.Errorf("bad --sync %q: use sync or async", f.sync)
	}
	if f.sync == string(node.SyncAsync) && f.dataDir == "" {
		return node.Config{}, fmt.Errorf("--sync async needs --data-dir")
	}
	if f.maxClockDrift <= 0 || f.maxClockDrift >= 0.5 {
		return node.Config{}, fmt.Errorf("--max-clock-drift %v must be in (0, 0.5)", f.maxClockDrift)
	}
	cfg.SlowTraceDir = f.slowTraceDir
	if err := f.engine.apply(&cfg, f.witness, logger); err != nil {
		return node.Config{}, err
	}
	if cfg.MemoryLimit, err = parseMemoryLimit(f.memoryLimit); err != nil {
		return node.Config{}, err
	}
	if f.baseRate < 0 {
		return node.Config{}, fmt.Errorf("--checkpoint-base-rate %d must not be negative", f.baseRate)
	}
	if f.segmentSize < 4096 {
		return node.Config{}, fmt.Errorf("--segment-size %d is below 4096 bytes", f.segmentSize)
	}
	switch {
	case f.retainLogBytes < 0:
		return node.Config{}, fmt.Errorf("--retain-log-bytes %d must not be negative", f.retainLogBytes)
	case f.retainLogBytes == 0:
		cfg.RetainLogBytes = -1 // none
	}
	if f.checkpointInterval == 0 {
		return node.Config{}, fmt.Errorf("--checkpoint-interval must be at least 1")
	}
	if f.checkpointBytes < 1 || f.maxMessageBytes < 1 {
		return node.Config{}, fmt.Errorf("--checkpoint-bytes and --max-message-bytes must be at least 1")
	}
	if f.lease < 0 || f.lease > f.viewTO {
		return node.Config{}, fmt.Errorf("--read-lease %v must be within 0..--view-timeout (%v)", f.lease, f.viewTO)
	}
	if cfg.ViewChangeTicks <= cfg.HeartbeatTicks {
		return node.Config{}, fmt.Errorf("--view-timeout %v must exceed --heartbeat %v", f.viewTO, f.heartbeat)
	}
	if f.listen != "" {
		if _, _, err := net.SplitHostPort(f.listen); err != nil {
			return node.Config{}, fmt.Errorf("bad --listen %q: %v", f.listen, err)
		}
	}
	if err := f.checkAdvertise(cfg); err != nil {
		return node.Config{}, err
	}
	return cfg, cfg.Validate()
}

func runServer(ctx context.Context, f serverFlags) error {
	logger, err := newLogger(f.logLevel, f.logFormat)
	if err != nil {
		return usageError{err}
	}
	cfg, err := f.nodeConfig(logger)
	if err != nil {
		return usageError{err}
	}
	if cfg.TLS, err = f.serverTLS(cmp.Or(cfg.Listen, cfg.Peers[cfg.Index]), logger); err != nil {
		return err
	}
	n, err := node.New(cfg)
	if err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	reloadOnHangup(ctx, cfg.TLS, logger)
	if err := n.Start(ctx); err != nil {
		return fmt.Errorf("replica %d cannot listen: %w", cfg.Index, err)
	}
	api, err := startServerGateways(ctx, f, knownAddrs(cfg.Peers), logger)
	if err != nil {
		return err
	}
	statusBase := cfg.Peers[cfg.Index] // the status endpoint is at its port+1000
	if f.advertise != "" {
		statusBase = f.listen // the advertised address may not be this host's (NAT)
	}
	if err := serveStatus(ctx, f, statusBase, n, api, logger); err != nil {
		return err
	}
	if f.join && f.standby {
		startStandby(ctx, f, cfg.Peers, cfg.AdminSecret, cfg.TLS != nil, logger)
	}
	return n.Run(ctx)
}

// knownAddrs are the addresses of peers without the unknown ones ("").
func knownAddrs(peers []string) []string {
	var as []string
	for _, a := range peers {
		if a != "" {
			as = append(as, a)
		}
	}
	return as
}

// serveStatus starts the HTTP status endpoint unless disabled.
func serveStatus(ctx context.Context, f serverFlags, addr string, n *node.Node, api http.Handler, logger *slog.Logger) error {
	if f.statusAddr == "off" {
		return nil
	}
	sa := f.statusAddr
	if sa == "" {
		var err error
		if sa, err = statusAddrOf(addr); err != nil {
			return usageError{err}
		}
	}
	ln, err := net.Listen("tcp", sa)
	if err != nil {
		return fmt.Errorf("status endpoint cannot listen: %w", err)
	}
	h := withKVAPI(n.StatusHandler(), api)
	if f.enablePprof {
		h = withPprof(h)
	}
	serveUntilDone(ctx, newStatusServer(h, defaultStatusTimeouts), ln, "status endpoint", logger)
	logger.Info("status endpoint", "url", "http://"+sa+"/status")
	return nil
}

func newLogger(level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("bad --log-format %q: use text or json", format)
}

// peerStatusAddrs is every replica's status address for the status page:
// --status-addrs, or each replica's port+1000 when this replica's own
// status address is the default; nil when unknown.
func (f serverFlags) peerStatusAddrs(peers []string) ([]string, error) {
	if f.statusAddrs != "" {
		addrs, err := splitCluster(f.statusAddrs)
		if err != nil {
			return nil, fmt.Errorf("bad --status-addrs: %w", err)
		}
		if len(addrs) != len(peers) {
			return nil, fmt.Errorf("--status-addrs names %d addresses for %d replicas", len(addrs), len(peers))
		}
		return addrs, nil
	}
	if f.statusAddr != "" {
		return nil, nil
	}
	addrs := make([]string, len(peers))
	for i, p := range peers {
		addrs[i], _ = statusAddrOf(p) // "" where port+1000 is out of range
	}
	return addrs, nil
}

// serveUntilDone serves srv on ln in the background and shuts it down
// (within a second) when ctx ends; what names it in the error log.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, what string, logger *slog.Logger) {
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error(what+" failed", "err", err)
		}
	}()
}

// witnessIndexes parses --witnesses and checks it against --witness: a
// replica listed as a witness must say --witness, and one that says
// --witness must be listed, so that a replica started in the wrong role
// refuses to start rather than disagree with the others about who may
// lead. (A list that differs between replicas is not detectable here;
// see docs/operations.md.)
func (f serverFlags) witnessIndexes(n int) ([]int, error) {
	ws, err := parseWitnesses(f.witnesses, n)
	if err != nil {
		return nil, err
	}
	listed := slices.Contains(ws, f.index)
	switch {
	case f.witness && !listed:
		return nil, fmt.Errorf("--witness: index %d is not in --witnesses %q (give every replica the same list)", f.index, f.witnesses)
	case !f.witness && listed:
		return nil, fmt.Errorf("--witnesses lists index %d, this replica: start it with --witness", f.index)
	}
	return ws, nil
}

// parseWitnesses parses a comma-separated list of replica indexes below n,
// each at most once, at most f of them.
func parseWitnesses(list string, n int) ([]int, error) {
	var ws []int
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= n {
			return nil, fmt.Errorf("bad --witnesses %q: %q is not a replica index in 0..%d", list, s, n-1)
		}
		if slices.Contains(ws, i) {
			return nil, fmt.Errorf("bad --witnesses %q: index %d twice", list, i)
		}
		ws = append(ws, i)
	}
	if f := (n - 1) / 2; len(ws) > f {
		return nil, fmt.Errorf("--witnesses %q: %d witnesses among %d replicas; at most f = %d", list, len(ws), n, f)
	}
	return ws, nil
}

// leaseTicks converts --read-lease to ticks: 0 keeps the default (half
// the view-change timeout), and a lease shorter than a tick is one tick.
func leaseTicks(lease, tick time.Duration) int {
	if lease <= 0 {
		return 0
	}
	return max(1, int(lease/tick))
}
