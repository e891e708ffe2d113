//go:build linux

package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/netproxy"
	"github.com/vr-go/vr/node"
)

// The partition tests run `vr server` processes whose every link goes
// through a netproxy.Mesh, cut or slow some links while clients keep
// working through the client proxies, then heal. Each checks that the
// history is linearizable (porcupine), that every acknowledged write reads
// back, that a write completes within liveBound of the heal, that all
// replicas converge, and that the faults really hit the proxied links.

// netTestTime bounds one partition test.
var netTestTime = 180 * time.Second * time.Duration(timeScale())

// netRun is one partition test in progress: a proxied cluster, a workload
// whose history is checked, and a writer whose acknowledged writes are
// read back.
type netRun struct {
	t    *testing.T
	nc   *netCluster
	w    *workload
	acks *ackWriter
}

// startNetRun starts an n-replica proxied cluster and the clients.
func startNetRun(ctx context.Context, t *testing.T, n int, durable bool) *netRun {
	t.Helper()
	nc := startNetCluster(ctx, t, n, durable)
	w := newWorkload([]string{"k0", "k1", "k2", "k3", "k4"})
	t.Cleanup(w.finish)
	if err := w.start(ctx, nc.clientAddrs(), 4); err != nil {
		t.Fatal(err)
	}
	acks, err := startAckWriter(ctx, nc.clientAddrs())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acks.finish)
	r := &netRun{t: t, nc: nc, w: w, acks: acks}
	r.warmUp(ctx)
	return r
}

// warmUp waits until every replica has executed warmOps ops. Faults come
// only after that: a new cluster takes its first op only once every
// replica has joined the current view (docs/protocol.md, "First start"),
// so a replica cut off before the first op would block it by design.
func (r *netRun) warmUp(ctx context.Context) {
	r.t.Helper()
	const warmOps = 20
	_, err := r.nc.waitFor(ctx, "first ops executed by every replica", netWait, func(sts []*node.Status) bool {
		for _, s := range sts {
			if s == nil || s.Executed < warmOps {
				return false
			}
		}
		return true
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// primary waits for a healthy cluster and returns its primary and view.
func (r *netRun) primary(ctx context.Context) (int, uint64) {
	r.t.Helper()
	p, view, err := r.nc.healthyPrimary(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return p, view
}

// newViewServing waits until the replicas in live form a view after view
// with a primary among them, and that primary commits n more ops while
// clients get answers. It returns the new primary.
func (r *netRun) newViewServing(ctx context.Context, live []int, view uint64, n int) int {
	r.t.Helper()
	q, sts, err := r.nc.waitNewViewAmong(ctx, live, view)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.nc.waitServing(ctx, r.w, q, sts[q], n); err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("replicas %v formed view %d with primary %d and committed %d ops in it", live, sts[q].View, q, n)
	return q
}

// finish heals the network, checks liveness, stops the clients and checks
// the history, the acknowledged writes and the replicas' convergence. It
// returns the statuses right after the heal.
func (r *netRun) finish(ctx context.Context) []*node.Status {
	t := r.t
	t.Helper()
	sts := r.nc.healAndCheckLive(ctx, t)
	r.w.finish()
	t.Logf("%d calls answered, %d with unknown outcome", r.w.done.Load(), r.w.unknown.Load())
	for _, err := range r.w.unexpected {
		t.Errorf("unexpected client error: %v", err)
	}
	final, err := r.w.readBack(ctx, r.nc.clientAddrs())
	if err != nil {
		t.Fatal(err)
	}
	ops := r.w.rec.Operations()
	checkNoLostWrites(t, ops, final)
	r.acks.check(ctx, t, r.nc.clientAddrs())
	checkLinearizable(ctx, t, ops, filepath.Dir(r.nc.LogDir))
	checkConvergedWithin(ctx, t, r.nc.cluster, netWait)
	r.nc.checkMeshUsed(t)
	if err := r.nc.crashed(); err != nil {
		t.Error(err)
	}
	return sts
}

// refusedOn sums the connections the links from → to refused.
func (r *netRun) refusedOn(from, to []int) (n uint64) {
	for _, i := range from {
		for _, j := range to {
			if i != j {
				n += r.nc.mesh.LinkStats(i, j).Refused
			}
		}
	}
	return n
}

// droppedOn sums the bytes the links from → to discarded.
func (r *netRun) droppedOn(from, to []int) (n uint64) {
	for _, i := range from {
		for _, j := range to {
			if i != j {
				n += r.nc.mesh.LinkStats(i, j).Dropped[netproxy.Forward]
			}
		}
	}
	return n
}

// TestPartitionMinorityPrimary splits a 5-replica cluster into the primary
// with one backup and the other three. The majority must elect a new
// primary and serve; the old primary, which clients can still reach, must
// commit nothing (its lease reads are checked by porcupine); after the
// heal it must rejoin.
func TestPartitionMinorityPrimary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTime)
	defer cancel()
	r := startNetRun(ctx, t, 5, false)
	p, view := r.primary(ctx)
	minority := []int{p, (p + 1) % 5}
	majority := r.nc.others(minority...)
	r.nc.mesh.Split(minority, majority)
	t.Logf("view %d: primary %d and replica %d cut off from %v", view, p, minority[1], majority)
	q, sts, err := r.nc.waitNewViewAmong(ctx, majority, view)
	if err != nil {
		t.Fatal(err)
	}
	// Without a quorum the old primary steps down; from then on its
	// commit-number must stay where it is.
	before := r.nc.waitLeft(ctx, p, view)
	if err := r.nc.waitServing(ctx, r.w, q, sts[q], 300); err != nil {
		t.Fatal(err)
	}
	after := fetch(ctx, r.nc.StatusAddrs[p])
	if after == nil {
		t.Fatalf("the old primary %d stopped answering its status endpoint", p)
	}
	if after.CommitNumber != before.CommitNumber {
		t.Errorf("old primary %d, cut off with a minority, committed ops %d..%d", p, before.CommitNumber+1, after.CommitNumber)
	}
	if refused := r.refusedOn(minority, majority) + r.refusedOn(majority, minority); refused == 0 {
		t.Errorf("the cut links refused no connection: nobody tried to cross the partition")
	}
	t.Logf("majority: view %d, primary %d, committed 300 ops; old primary %d: %s in view %d, commit %d, %d lease reads",
		sts[q].View, q, p, after.Status, after.View, after.CommitNumber, after.LeaseReads)
	healed := r.finish(ctx)
	if healed[p].View <= view {
		t.Errorf("the old primary %d is in view %d after the heal, not past view %d", p, healed[p].View, view)
	}
}

// TestPartitionOneWayPrimary cuts one direction of the primary's links,
// to the other replicas and to its clients: a primary that can send but
// not receive (deaf), and one that can receive but not send (mute). The
// others must form a new view and serve.
func TestPartitionOneWayPrimary(t *testing.T) {
	t.Run("deaf", func(t *testing.T) { testOneWayPrimary(t, true) })
	t.Run("mute", func(t *testing.T) { testOneWayPrimary(t, false) })
}

func testOneWayPrimary(t *testing.T, deaf bool) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTime)
	defer cancel()
	r := startNetRun(ctx, t, 3, false)
	p, view := r.primary(ctx)
	others := r.nc.others(p)
	from, to, clientDir := []int{p}, others, netproxy.Backward
	if deaf {
		from, to, clientDir = others, []int{p}, netproxy.Forward
	}
	r.nc.mesh.Blackhole(from, to)
	r.nc.mesh.Client(p).SetBlackhole(clientDir, true)
	t.Logf("view %d: messages %v -> %v and the client %s direction of primary %d blackholed", view, from, to, clientDir, p)
	q := r.newViewServing(ctx, others, view, 300)
	if deaf {
		// It hears no backup: it must stop acting as primary.
		s := r.nc.waitLeft(ctx, p, view)
		t.Logf("deaf old primary %d: %s in view %d", p, s.Status, s.View)
	} else {
		// It hears the others: it must learn that q replaced it.
		s := r.nc.waitReplaced(ctx, p, q)
		t.Logf("mute old primary %d: %s in view %d with primary %d", p, s.Status, s.View, s.Primary)
	}
	if dropped := r.droppedOn(from, to); dropped == 0 {
		t.Error("the blackholed links dropped no byte")
	}
	r.finish(ctx)
}

// TestPartitionBridge splits a 5-replica cluster into two pairs that
// cannot reach each other and a bridge replica that reaches both: the
// primary's pair plus the bridge are a quorum. The far pair must notice
// the primary is gone, and the cluster must go on serving anyway.
func TestPartitionBridge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTime)
	defer cancel()
	r := startNetRun(ctx, t, 5, false)
	p, view := r.primary(ctx)
	near, bridge, far := []int{p, (p + 1) % 5}, (p+2)%5, []int{(p + 3) % 5, (p + 4) % 5}
	r.nc.mesh.Split(near, far)
	t.Logf("view %d: %v and %v cut apart, replica %d bridges them", view, near, far, bridge)
	_, err := r.nc.waitFor(ctx, "far-side suspicion of the primary", netWait, func(sts []*node.Status) bool {
		for _, i := range far {
			if sts[i] == nil || sts[i].View == view {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitProgress(ctx, r.w, 300); err != nil {
		t.Fatal(err)
	}
	sts := r.nc.statuses(ctx)
	t.Logf("while bridged:\n%s", describe(sts))
	r.finish(ctx)
}

// TestPartitionSlowLinks slows links in three steps: every link a little,
// then the primary's outbound links below the view-change timeout (no
// view change is needed), then far beyond it (the primary must be
// replaced). Clients keep being served throughout.
func TestPartitionSlowLinks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTime)
	defer cancel()
	r := startNetRun(ctx, t, 3, false)
	m := r.nc.mesh
	all := r.nc.All()
	mustDelay(t, m.Delay(all, all, 15*time.Millisecond))
	for j := range all {
		mustDelay(t, m.Client(j).SetDelay(netproxy.Forward, 10*time.Millisecond))
		mustDelay(t, m.Client(j).SetDelay(netproxy.Backward, 10*time.Millisecond))
	}
	if err := waitProgress(ctx, r.w, 100); err != nil {
		t.Fatal(err)
	}
	p, before := r.primary(ctx)
	mustDelay(t, m.Delay([]int{p}, r.nc.others(p), 150*time.Millisecond))
	if err := waitProgress(ctx, r.w, 50); err != nil {
		t.Fatal(err)
	}
	p, view := r.primary(ctx)
	t.Logf("primary's messages 150ms late: served, view %d before, %d after", before, view)
	others := r.nc.others(p)
	mustDelay(t, m.Delay([]int{p}, others, 1500*time.Millisecond))
	r.newViewServing(ctx, others, view, 100)
	r.finish(ctx)
}

func mustDelay(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPartitionDurableIsolatedRestart isolates the primary of a durable
// 3-replica cluster from everyone, replicas and clients; once the others
// serve in a new view it crashes the isolated replica and restarts it from
// its disk, still isolated, and then heals. It must rejoin with nothing
// lost.
func TestPartitionDurableIsolatedRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), netTestTime)
	defer cancel()
	r := startNetRun(ctx, t, 3, true)
	p, view := r.primary(ctx)
	others := r.nc.others(p)
	r.nc.mesh.Split([]int{p}, others)
	r.nc.mesh.Client(p).Cut()
	q := r.newViewServing(ctx, others, view, 100)
	r.nc.kill(p)
	r.nc.restart(p)
	_, err := r.nc.waitFor(ctx, "answer from the restarted replica", netWait, func(sts []*node.Status) bool {
		return sts[p] != nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitProgress(ctx, r.w, 100); err != nil {
		t.Fatal(err)
	}
	t.Logf("replica %d restarted from its disk while isolated; primary %d serves", p, q)
	r.finish(ctx)
}
