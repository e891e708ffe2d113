package main

import (
	"context"
	"fmt"
	"time"
)

// demoWitness is the witness of `vr demo --witness`: of its 3 replicas the
// last (port base+2) is a witness; base and base+1 are full replicas.
const demoWitness = 2

// witnesses returns the demo cluster's witnesses (nil without --witness).
func (d *demo) witnesses() []int {
	if !d.f.witness {
		return nil
	}
	return []int{demoWitness}
}

// witnessSteps are the steps of `vr demo --witness`.
func (d *demo) witnessSteps() []func(context.Context) error {
	return []func(context.Context) error{
		d.boot, d.stepWitnessNormal, d.stepFreezeBackup, d.stepWitnessTakeover, d.stepWitnessCheck,
	}
}

func (d *demo) explainWitness() {
	w := d.cl.port(demoWitness)
	d.ui.explain("%s and %s are full replicas; %s is a WITNESS (vr server --witness, and --witnesses %d",
		d.cl.port(0), d.cl.port(1), w, demoWitness)
	d.ui.explain("on every replica). A witness stores every log entry in full and votes, in commits and in view")
	d.ui.explain("changes, but it executes nothing, holds no key-value state and no checkpoint, and is never")
	d.ui.explain("primary: views go round robin over the full replicas only. It costs less than a full replica")
	d.ui.explain("and still lets the cluster survive one crash.")
}

// stepWitnessNormal shows requests committing with the witness's vote.
func (d *demo) stepWitnessNormal(ctx context.Context) error {
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	_, p, _ := d.agreed(rows)
	d.ui.heading(1, "Normal operation with a witness")
	d.ui.explain("The client sends each request to the primary, %s, which sends it in a Prepare to the full", d.cl.port(p))
	d.ui.explain("backup and to the witness. f+1 = 2 copies commit it: the primary's and either backup's. The")
	d.ui.explain("witness acknowledges and keeps the entry, but only the full replicas execute it. The witness")
	d.ui.explain("drops its log up to the primary's log base (it has no checkpoint of its own).")
	if err := d.narratedOps(ctx); err != nil {
		return err
	}
	if rows, err = d.settle(ctx); err != nil {
		return err
	}
	w := rows[demoWitness].status
	d.ui.ok("the witness holds the log up to op %d, executed %d ops and holds %d keys. What `vr status` shows:",
		w.OpNumber, w.Executed, w.Keys)
	d.ui.table(d.cl.Addrs, rows)
	if w.Executed != 0 || w.Keys != 0 || w.OpNumber != rows[p].status.OpNumber {
		return fmt.Errorf("the witness executed %d ops, holds %d keys, log to op %d (primary: %d)",
			w.Executed, w.Keys, w.OpNumber, rows[p].status.OpNumber)
	}
	return nil
}

func (d *demo) explainWitnessViewChange(view uint64) {
	next := int((view + 1) % 2)
	d.ui.explain("round robin over the FULL replicas only, full[%d mod 2], so replica %s; the witness never", view+1, d.cl.port(next))
	d.ui.explain("leads. With the primary dead, %s and the witness are the f+1 that form the new view. Ops that", d.cl.port(next))
	d.ui.explain("committed on the primary and the witness alone are in the witness's DoViewChange, in full:")
	d.ui.explain("the new primary takes them from there, executes them, sends StartView and serves clients")
	d.ui.explain("again. Every op now commits on %s and the witness.", d.cl.port(next))
}

// frozenKeys are written while the full backup is frozen: they commit on
// the primary and the witness alone.
var frozenKeys = [][2]string{{"moon", "Titan"}, {"river", "Rhone"}, {"metal", "gold"}}

// stepFreezeBackup freezes the full backup with SIGSTOP and writes keys
// that then commit on the primary and the witness alone.
func (d *demo) stepFreezeBackup(ctx context.Context) error {
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	_, p, _ := d.agreed(rows)
	b := 1 - p // the other full replica
	d.ui.heading(2, "The full backup freezes: commits rest on the primary and the witness")
	d.ui.do("kill -STOP %d    # replica %s, the full backup: it stops dead, holding what it had", d.cl.Pid(b), d.cl.port(b))
	if err := d.cl.Freeze(b); err != nil {
		return err
	}
	d.frozen = b
	d.ui.explain("The primary still has f+1 = 2 copies of every new op: its own and the witness's.")
	for _, w := range frozenKeys {
		ver, took, err := d.kv.put(ctx, w[0], w[1])
		if err != nil {
			return err
		}
		d.ui.op("put %-6s = %-6s → version %-2d %6v   (on %s and the witness only)", w[0], w[1], ver,
			took.Round(100*time.Microsecond), d.cl.port(p))
	}
	return nil
}

// stepWitnessTakeover kills the primary, wakes the frozen backup and waits
// for it to lead a new view with the witness, then reads back the writes
// it never received from the old primary.
func (d *demo) stepWitnessTakeover(ctx context.Context) error {
	rows := d.snapshot(ctx)
	view, p := rows[d.frozen].status.View, 1-d.frozen
	d.ui.heading(3, "The primary crashes; the frozen backup wakes up and takes over")
	load := startTraffic(ctx, d.kv, 2)
	defer load.finish()
	d.ui.do("kill -9 %d    # replica %s, the primary of view %d", d.cl.Pid(p), d.cl.port(p), view)
	if err := d.cl.Kill(p); err != nil {
		return err
	}
	d.ui.do("kill -CONT %d    # replica %s wakes up, behind by every op written meanwhile", d.cl.Pid(d.frozen), d.cl.port(d.frozen))
	if err := d.cl.Thaw(d.frozen); err != nil {
		return err
	}
	d.explainWitnessViewChange(view)
	rows, err := d.waitFor(ctx, "a new view with a live primary", 15*time.Second, true,
		func(rows []statusRow) bool { v, _, ok := d.agreed(rows); return ok && v > view })
	if err != nil {
		return err
	}
	nv, np, _ := d.agreed(rows)
	d.views = append(d.views, nv)
	d.ui.ok("view %d started; its primary is %s (round robin over the full replicas: full[%d mod 2])", nv, d.cl.port(np), nv)
	if np == demoWitness {
		return fmt.Errorf("the witness %s became primary", d.cl.port(np))
	}
	for _, w := range frozenKeys {
		v, found, _, err := d.kv.get(ctx, w[0])
		if err != nil {
			return err
		}
		if !found || v != w[1] {
			return fmt.Errorf("key %s written while %s was frozen reads back %q (found=%v), want %q",
				w[0], d.cl.port(np), v, found, w[1])
		}
		d.ui.op("get %-6s → %-6s from %s, the new primary", w[0], v, d.cl.port(np))
	}
	d.ui.explain("(%s may also have read the old primary's last Prepares, still queued in its socket when it", d.cl.port(np))
	d.ui.explain("woke up; where they were not, the witness's log carried them. The simulator's scenario test")
	d.ui.explain("TestScenarioWitnessCarriesCommit drops those Prepares for certain.)")
	return d.reportLoad(ctx, load)
}

// stepWitnessCheck reads back every acknowledged write from the new
// primary, brings the killed replica back and compares the full replicas.
func (d *demo) stepWitnessCheck(ctx context.Context) error {
	d.ui.heading(4, "Checking, then the killed replica comes back")
	if err := d.checkAcked(ctx); err != nil {
		return err
	}
	for i := range d.f.replicas {
		if !d.cl.Running(i) {
			if err := d.recoverReplica(ctx, i, true); err != nil {
				return err
			}
		}
	}
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	d.checkDigests(rows)
	return nil
}
