//go:build linux

package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/netproxy"
	"github.com/vr-go/vr/internal/procs"
	"github.com/vr-go/vr/node"
)

// netWait bounds each wait of the partition tests for the cluster to
// react: generous, for loaded 2-core machines (normally well under 2 s).
var netWait = 60 * time.Second * time.Duration(timeScale())

// liveBound is how soon after a heal a write must complete.
var liveBound = 30 * time.Second * time.Duration(timeScale())

// netCluster is a cluster whose replicas reach each other only through a
// netproxy.Mesh: replica i's --cluster list names a proxy per directed link
// (i→j), while --listen keeps its real address. Clients use the mesh's
// client proxies. Status endpoints are not proxied.
type netCluster struct {
	*cluster
	mesh *netproxy.Mesh
}

// startNetCluster starts n proxied replicas (durable ones, in sync mode,
// if durable is set) with fastFlags and then flags, and waits until every
// one is normal. The proxies log their faults to netproxy.log beside the
// replicas' logs.
func startNetCluster(ctx context.Context, t *testing.T, n int, durable bool, flags ...string) *netCluster {
	t.Helper()
	var mesh *netproxy.Mesh
	c := formCluster(ctx, t, n, "proxied cluster", func(c *cluster) {
		if mesh != nil {
			mesh.Close() // a port collision: this attempt gets a new mesh
		}
		mesh = startMesh(ctx, t, c)
		for tries := 1; meshTakesReplicaPort(mesh, c) && tries < 5; tries++ {
			// A proxy bound a port picked for a replica or a status
			// endpoint (free when picked, not yet bound): that replica
			// would see its own address twice and exit. Bind again.
			mesh.Close()
			mesh = startMesh(ctx, t, c)
		}
		c.PeerAddrs = make([][]string, n)
		for i := range n {
			c.PeerAddrs[i] = mesh.Peers(i)
			if durable {
				c.DataDirs = append(c.DataDirs, filepath.Join(t.TempDir(), "replica-"+strconv.Itoa(i)))
			}
		}
		c.Flags = append(append(c.Flags, fastFlags()...), flags...)
	})
	return &netCluster{cluster: c, mesh: mesh}
}

// meshTakesReplicaPort reports whether a proxy of mesh listens on an
// address picked for one of c's replicas or status endpoints.
func meshTakesReplicaPort(mesh *netproxy.Mesh, c *cluster) bool {
	picked := map[string]bool{}
	for _, a := range append(slices.Clone(c.Addrs), c.StatusAddrs...) {
		picked[a] = true
	}
	for i := range mesh.Size() {
		for j, a := range mesh.Peers(i) {
			if j != i && picked[a] {
				return true
			}
		}
	}
	return slices.ContainsFunc(mesh.ClientAddrs(), func(a string) bool { return picked[a] })
}

// startMesh starts the proxies in front of c's replicas.
func startMesh(ctx context.Context, t *testing.T, c *cluster) *netproxy.Mesh {
	t.Helper()
	f, err := os.Create(filepath.Join(c.LogDir, "netproxy.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))
	mesh, err := netproxy.NewMesh(ctx, c.Addrs, log)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mesh.Close()
		f.Close()
	})
	return mesh
}

// clientAddrs are the addresses clients use: the client proxies.
func (nc *netCluster) clientAddrs() []string { return nc.mesh.ClientAddrs() }

// restart starts replica i again after a kill (with --new-cluster for a
// durable replica, whose data directory decides; without for a diskless
// one, which must recover).
func (nc *netCluster) restart(i int) { nc.start(i, nc.DataDirs != nil) }

// others is every replica but those in idx.
func (nc *netCluster) others(idx ...int) []int {
	out := nc.All()
	for _, i := range idx {
		out = without(out, i)
	}
	return out
}

// waitNewViewAmong waits until the replicas in live agree on a view after
// view, with a primary among them, and returns that primary and the
// statuses.
func (nc *netCluster) waitNewViewAmong(ctx context.Context, live []int, view uint64) (int, []*node.Status, error) {
	sts, err := nc.waitFor(ctx, fmt.Sprintf("new view among %v", live), netWait, func(sts []*node.Status) bool {
		q, ok := agreed(sts, live)
		return ok && sts[q].View > view
	})
	if err != nil {
		return -1, nil, err
	}
	q, _ := agreed(sts, live)
	return q, sts, nil
}

// waitLeft waits until replica p, the primary of view, no longer acts as a
// normal replica of view (it stepped down, or moved on), and returns its
// status then.
func (nc *netCluster) waitLeft(ctx context.Context, p int, view uint64) *node.Status {
	nc.t.Helper()
	sts, err := nc.waitFor(ctx, fmt.Sprintf("departure of replica %d from view %d", p, view), netWait, func(sts []*node.Status) bool {
		s := sts[p]
		return s != nil && (s.View > view || s.Status != "normal")
	})
	if err != nil {
		nc.t.Fatal(err)
	}
	return sts[p]
}

// waitReplaced waits until replica p is a normal backup in a view whose
// primary is q, and returns its status then.
func (nc *netCluster) waitReplaced(ctx context.Context, p, q int) *node.Status {
	nc.t.Helper()
	sts, err := nc.waitFor(ctx, fmt.Sprintf("replica %d following primary %d", p, q), netWait, func(sts []*node.Status) bool {
		s := sts[p]
		return s != nil && s.Status == "normal" && s.Primary == q && !s.IsPrimary
	})
	if err != nil {
		nc.t.Fatal(err)
	}
	return sts[p]
}

// waitServing waits until replica q has committed n more ops than its
// status in base says and the workload got n more answers than it had.
func (nc *netCluster) waitServing(ctx context.Context, w *workload, q int, base *node.Status, n int) error {
	answered := w.done.Load()
	_, err := nc.waitFor(ctx, fmt.Sprintf("%d more ops committed by replica %d", n, q), netWait, func(sts []*node.Status) bool {
		return sts[q] != nil && sts[q].CommitNumber >= base.CommitNumber+uint64(n) && w.done.Load() >= answered+int64(n)
	})
	return err
}

// waitProgress waits until the workload got n more answers.
func waitProgress(ctx context.Context, w *workload, n int) error {
	want := w.done.Load() + int64(n)
	return poll(ctx, netWait, fmt.Sprintf("%d more answered calls", n), func() bool { return w.done.Load() >= want })
}

// healAndCheckLive heals every link and checks that a write through the
// client proxies completes within liveBound and that every replica is
// normal in one view again, also within liveBound.
func (nc *netCluster) healAndCheckLive(ctx context.Context, t *testing.T) []*node.Status {
	t.Helper()
	nc.mesh.Heal()
	healed := time.Now()
	wctx, cancel := context.WithTimeout(ctx, liveBound)
	defer cancel()
	c, err := client.DialConfig(wctx, client.Config{Addrs: nc.clientAddrs(), Static: true, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("no client could connect after the heal: %v", err)
	}
	defer c.Close()
	if _, err := c.Put(wctx, []byte("after-heal"), []byte(healed.Format(time.RFC3339Nano))); err != nil {
		t.Fatalf("no write completed within %v of the heal: %v", liveBound, err)
	}
	t.Logf("first write after the heal took %v", time.Since(healed).Round(time.Millisecond))
	sts, err := nc.waitFor(ctx, "agreement of every replica on one view after the heal", liveBound, func(sts []*node.Status) bool {
		_, ok := agreed(sts, nc.All())
		return ok
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d replicas normal in view %d, %v after the heal", len(sts), sts[0].View, time.Since(healed).Round(time.Millisecond))
	return sts
}

// checkMeshUsed checks that every replica sent and received bytes through
// the link proxies, and that clients did through the client proxies: the
// replicas and clients really talked through the proxies, so the faults
// set on them were faults of the cluster's network. (A single link may
// stay unused: backups talk to each other only in view changes.)
func (nc *netCluster) checkMeshUsed(t *testing.T) {
	t.Helper()
	n := nc.mesh.Size()
	for i := range n {
		var out, in uint64
		for j := range n {
			if i != j {
				out += nc.mesh.LinkStats(i, j).Bytes[netproxy.Forward]
				in += nc.mesh.LinkStats(j, i).Bytes[netproxy.Forward]
			}
		}
		if out == 0 || in == 0 {
			t.Errorf("replica %d sent %d and received %d bytes through the proxies: it bypassed them", i, out, in)
		}
	}
	var requests, replies uint64
	for j := range n {
		st := nc.mesh.Client(j).Stats()
		requests, replies = requests+st.Bytes[netproxy.Forward], replies+st.Bytes[netproxy.Backward]
	}
	if requests == 0 || replies == 0 {
		t.Errorf("the client proxies carried %d bytes of requests and %d of replies: the clients bypassed them", requests, replies)
	}
}

// ackWriter writes fresh keys one at a time during the faults and
// remembers the writes acknowledged, so that every one of them can be read
// back at the end. It stops after maxAckWrites writes.
type ackWriter struct {
	c       *client.Client
	static  bool              // the client takes its addresses as the configuration (client.Config.Static)
	acked   map[string]string // written only by run, read after finish
	unknown int
	stop    chan struct{}
	done    chan struct{}
}

const (
	maxAckWrites   = 4000
	ackTimeout     = time.Second
	ackPrefix      = "acked/"
	ackScanPerCall = 500
)

// startAckWriter starts writing through its own client, which takes
// addrs as the configuration (they may be proxies' addresses).
func startAckWriter(ctx context.Context, addrs []string) (*ackWriter, error) {
	return startAckWriterWith(ctx, addrs, true)
}

// startAckWriterWith starts writing through its own client; static as
// client.Config.Static (false: the client follows reconfigurations).
func startAckWriterWith(ctx context.Context, addrs []string, static bool) (*ackWriter, error) {
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Static: static, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	a := &ackWriter{c: c, static: static, acked: map[string]string{}, stop: make(chan struct{}), done: make(chan struct{})}
	go a.run(ctx)
	return a, nil
}

func (a *ackWriter) run(ctx context.Context) {
	defer close(a.done)
	defer a.c.Close()
	pace := time.NewTicker(workerPace)
	defer pace.Stop()
	for n := range maxAckWrites {
		select {
		case <-a.stop:
			return
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		key, val := fmt.Sprintf("%s%06d", ackPrefix, n), "v"+strconv.Itoa(n)
		wctx, cancel := context.WithTimeout(ctx, ackTimeout)
		_, err := a.c.Put(wctx, []byte(key), []byte(val))
		cancel()
		if err == nil {
			a.acked[key] = val
		} else {
			a.unknown++
		}
	}
}

// finish stops the writer and waits for it.
func (a *ackWriter) finish() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
}

// check reads every key the writer wrote back with a fresh client, in
// pages, and checks that each acknowledged write is there with its value.
func (a *ackWriter) check(ctx context.Context, t *testing.T, addrs []string) {
	t.Helper()
	a.finish()
	got, err := scanAll(ctx, addrs, ackPrefix, a.static)
	if err != nil {
		t.Fatalf("reading back the acknowledged writes: %v", err)
	}
	lost := 0
	for key, want := range a.acked {
		if got[key] != want {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged write %s=%s reads back as %q", key, want, got[key])
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged writes lost", lost, len(a.acked))
	}
	if len(a.acked) == 0 {
		t.Fatal("no write of the ack writer was acknowledged")
	}
	t.Logf("all %d acknowledged writes read back (%d with unknown outcome, %d keys present)", len(a.acked), a.unknown, len(got))
}

// scanAll reads every key with prefix, page by page, with a bounded
// number of calls.
func scanAll(ctx context.Context, addrs []string, prefix string, static bool) (map[string]string, error) {
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Static: static, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[string]string{}
	start, end := []byte(prefix), []byte(prefix[:len(prefix)-1]+string(prefix[len(prefix)-1]+1))
	for range maxAckWrites/ackScanPerCall + 2 {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		items, more, err := c.Scan(sctx, start, end, ackScanPerCall)
		cancel()
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[string(it.Key)] = string(it.Value)
		}
		if !more {
			return out, nil
		}
		start = append([]byte(string(items[len(items)-1].Key)), 0)
	}
	return nil, errors.New("scan did not end")
}

// TestMeshTakesReplicaPort: the check that makes startNetCluster bind its
// proxies again sees a proxy on a port picked for a replica or a status
// endpoint (the collision that made a replica exit with "address appears
// twice"), and nothing when the ports differ.
func TestMeshTakesReplicaPort(t *testing.T) {
	addrs, err := procs.FreeAddrs(6)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, Cluster: &procs.Cluster{Addrs: addrs[:3], StatusAddrs: addrs[3:]}}
	mesh, err := netproxy.NewMesh(context.Background(), c.Addrs, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer mesh.Close()
	if meshTakesReplicaPort(mesh, c) {
		t.Skip("a proxy took a picked port by chance; the case below still needs a clean start")
	}
	c.StatusAddrs[1] = mesh.Peers(0)[2]
	if !meshTakesReplicaPort(mesh, c) {
		t.Fatal("a proxy on a status endpoint's port was not seen")
	}
	c.StatusAddrs[1] = addrs[4]
	c.Addrs[2] = mesh.ClientAddrs()[0]
	if !meshTakesReplicaPort(mesh, c) {
		t.Fatal("a client proxy on a replica's port was not seen")
	}
}
