package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// stepRecover restarts the replica crashed in step 2.
func (d *demo) stepRecover(ctx context.Context) error {
	i := slices.IndexFunc(d.cl.All(), d.cl.Exited)
	if i < 0 {
		return errors.New("no crashed replica to restart")
	}
	title := " comes back and recovers"
	if d.f.durable {
		title = " comes back from its disk"
	}
	d.ui.heading(3, d.cl.port(i)+title)
	return d.recoverReplica(ctx, i, true)
}

// recoverReplica restarts replica i without --new-cluster, under client
// load, and waits until it is a normal backup again.
func (d *demo) recoverReplica(ctx context.Context, i int, narrate bool) error {
	load := startTraffic(ctx, d.kv, 2)
	defer load.finish()
	start, mark := time.Now(), d.cl.LogSize(i)
	if err := d.cl.Start(i, false); err != nil {
		return err
	}
	d.ui.do("vr server --index %d ...    # pid %d, restarted WITHOUT --new-cluster", i, d.cl.Pid(i))
	if narrate && d.f.durable {
		d.explainDiskRestart(i)
	} else if narrate {
		d.explainRecovery(i)
	}
	_, err := d.waitFor(ctx, fmt.Sprintf("replica %s to recover", d.cl.port(i)), 15*time.Second, narrate,
		func(rows []statusRow) bool { _, _, ok := d.agreed(rows); return ok })
	if err != nil {
		return err
	}
	took := time.Since(start)
	if _, _, err := load.finish(); err != nil {
		return fmt.Errorf("background client: %w", err)
	}
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	s := rows[i].status
	d.ui.ok("%s %s in %v and caught up: backup in view %d, op %d, commit %d, like the primary",
		d.cl.port(i), d.noteRestart(i, mark), took.Round(time.Millisecond), s.View, s.OpNumber, s.CommitNumber)
	if narrate {
		d.noteCheckpoint(i, mark, s.LogBase, s.CheckpointOp)
	}
	if narrate {
		d.ui.table(d.cl.Addrs, rows)
	}
	return nil
}

func (d *demo) explainRecovery(i int) {
	d.ui.explain("Replicas keep nothing on disk, so %s has forgotten everything, even what it promised", d.cl.port(i))
	d.ui.explain("in earlier views; it must not vote or answer until it has caught up. It sends Recovery with")
	d.ui.explain("a fresh random nonce to all. Replicas in normal status answer with that nonce (so a stale")
	d.ui.explain("answer cannot fool it), and the primary's answer carries its log. With f+1 answers, the")
	d.ui.explain("primary's among them, it installs the log, executes the committed ops and is a backup again.")
	d.ui.explain("Every replica checkpoints its state every %d ops and drops the log before the previous", d.f.checkpoint)
	d.ui.explain("checkpoint. If the primary's log no longer starts at op 1, %s also fetches a", d.cl.port(i))
	d.ui.explain("checkpoint from a peer, in checksummed chunks (GetCheckpoint → CheckpointChunk).")
	d.ui.explain("(A backup that merely missed a few Prepares asks a peer for them, GetState → NewState:")
	d.ui.explain("that is state transfer. The client keeps writing throughout.)")
}

// noteCheckpoint says how replica i, restarted after mark, got the state
// below its log: from a peer's checkpoint, its own on disk, or none needed.
func (d *demo) noteCheckpoint(i int, mark int64, logBase, ckpt uint64) {
	logged := d.cl.LogSince(i, mark)
	switch {
	case bytes.Contains(logged, []byte("state installed from a checkpoint fetched from a peer")):
		d.ui.ok("%s installed a peer's checkpoint; it now holds the log after op %d and a checkpoint at op %d",
			d.cl.port(i), logBase, ckpt)
	case bytes.Contains(logged, []byte("state loaded from the checkpoint on disk")):
		d.ui.ok("%s loaded its own checkpoint from disk; it holds the log after op %d, checkpoint at op %d",
			d.cl.port(i), logBase, ckpt)
	default:
		d.ui.ok("%s needed no checkpoint: its log still started at op 1 (now it holds the log after op %d, checkpoint at op %d)",
			d.cl.port(i), logBase, ckpt)
	}
}
