package main

import (
	"context"
	"errors"
	"path/filepath"
	"time"
)

// lastWords is the key the demo writes just before the whole cluster
// crashes.
const lastWords = "last-words"

// stepWholeCrash (--durable only) kills every replica at the same moment,
// restarts them all from their data directories, and checks that nothing
// acknowledged was lost and that none needed the recovery protocol.
func (d *demo) stepWholeCrash(ctx context.Context) error {
	d.ui.heading(6, "The whole cluster crashes at once")
	ver, took, err := d.kv.put(ctx, lastWords, "said just before the crash")
	if err != nil {
		return err
	}
	d.ui.op("put %s = %q → version %d %v", lastWords, "said just before the crash", ver, took.Round(100*time.Microsecond))
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	_, p, _ := d.agreed(rows)
	committed := rows[p].status.CommitNumber
	marks := make([]int64, d.f.replicas)
	for i := range marks {
		marks[i] = d.cl.LogSize(i)
	}
	d.ui.do("kill -9 %s    # all %d replicas at the same moment", d.cl.pids(), d.f.replicas)
	if err := d.cl.Kill(d.cl.All()...); err != nil {
		return err
	}
	d.ui.explain("Diskless replicas could not survive this: a replica that lost its memory recovers from f+1")
	d.ui.explain("others that kept theirs, and here none did. Durable mode appends every op and the replica's")
	d.ui.explain("promises to a write-ahead log and fsyncs it before answering PrepareOK (persist before")
	d.ui.explain("PrepareOK), so every acknowledged write is on the disks of f+1 = %d replicas. Each replays", d.f.replicas/2+1)
	d.ui.explain("its log on restart and resumes where it stopped, as if it had only been paused.")
	return d.restartAll(ctx, marks, committed)
}

// restartAll starts every replica again, waits until they agree, checks
// that the log still holds every op committed before the crash, and runs
// the final checks once more.
func (d *demo) restartAll(ctx context.Context, marks []int64, committed uint64) error {
	start := time.Now()
	for i := range d.f.replicas {
		if err := d.cl.Start(i, false); err != nil {
			return err
		}
	}
	d.ui.do("vr server --index 0..%d ... --data-dir %s    # all restarted", d.f.replicas-1, filepath.Join(d.cl.LogDir, "data-<port>"))
	rows, err := d.waitFor(ctx, "the restarted cluster to agree", 15*time.Second, true, d.settled)
	if err != nil {
		return err
	}
	view, p, _ := d.agreed(rows)
	d.ui.ok("all %d replicas back in %v: normal in view %d, primary %s, op %d",
		d.f.replicas, time.Since(start).Round(time.Millisecond), view, d.cl.port(p), rows[p].status.OpNumber)
	if rows[p].status.OpNumber < committed {
		d.ui.fail("op %d was committed before the crash, but the log now ends at op %d", committed, rows[p].status.OpNumber)
		return errors.New("the whole-cluster crash lost committed operations")
	}
	for i := range marks {
		d.noteRestart(i, marks[i])
	}
	if d.fromDiskOK {
		d.ui.ok("none ran the recovery protocol: each came back from its own disk")
	}
	d.ui.table(d.cl.Addrs, rows)
	v, _, took, err := d.kv.get(ctx, lastWords)
	if err != nil {
		return err
	}
	d.ui.op("get %s → %q %v", lastWords, v, took.Round(100*time.Microsecond))
	d.digestsOK, d.writesOK = false, false
	d.checkDigests(rows)
	return d.checkAcked(ctx)
}
