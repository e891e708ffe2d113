package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/node"
)

// `vr demo --reconfigure`: the seed's promised demo of reconfiguration
// (VR Revisited §7) with real processes. Of the 6 addresses base..base+5
// the first three start the cluster (ids 0, 1, 2 = ports base..base+2);
// ids 3, 4 and 5 join later (vr server --join). A client writes all along.

// reconfigJoinFrom is the first id of the demo's joiners.
const reconfigJoinFrom = 3

// reconfigReplicas is how many addresses the demo uses.
const reconfigReplicas = 6

// setupReconfig makes replicas 3..5 joiners and gives every replica the
// admin secret, written in the demo's directory.
func (c *demoCluster) setupReconfig() (string, error) {
	secret := filepath.Join(c.LogDir, "admin.secret")
	if err := os.WriteFile(secret, []byte("vr-demo-admin-secret-"+strconv.FormatInt(time.Now().UnixNano(), 36)+"\n"), 0o600); err != nil {
		return "", err
	}
	c.JoinFrom = reconfigJoinFrom
	c.Flags = append(c.Flags, "--admin-secret-file", secret)
	return secret, nil
}

// reconfigSteps are the steps of `vr demo --reconfigure`.
func (d *demo) reconfigSteps() []func(context.Context) error {
	return []func(context.Context) error{
		d.reconfBoot, d.reconfGrow, d.reconfReplace, d.reconfRemovePrimary, d.reconfCheck,
	}
}

// reconfBoot starts ids 0..2 as a new cluster, connects the client and
// starts the background load.
func (d *demo) reconfBoot(ctx context.Context) error {
	d.ui.title("vr demo --reconfigure: Viewstamped Replication Revisited §7, reconfiguration by epochs")
	d.ui.explain("Members are named by stable ids. Epoch 0 is ids 0, 1, 2 on ports %s, %s, %s (vr server",
		d.cl.port(0), d.cl.port(1), d.cl.port(2))
	d.ui.explain("--index i --cluster ...). Each reconfiguration is a request through the log, the last op of")
	d.ui.explain("its epoch; executing it starts the next epoch at view 0. It needs the cluster's admin secret")
	d.ui.explain("(--admin-secret-file on every server and on vr reconfigure). Server logs: %s", d.cl.LogDir)
	d.ui.explain("Watch from another terminal:  vr status --watch 500ms --cluster %s", strings.Join(d.cl.Addrs, ","))
	for i := range reconfigJoinFrom {
		if err := d.cl.Start(i, true); err != nil {
			return err
		}
	}
	rows, err := d.waitEpoch(ctx, 0, []int{0, 1, 2})
	if err != nil {
		return err
	}
	d.views = append(d.views, rows[0].status.View)
	if d.kv, err = dialDemoKV(ctx, d.cl.Addrs[:reconfigJoinFrom], nil, nil); err != nil {
		return err
	}
	d.ui.heading(1, "Epoch 0: three replicas, a client writing")
	if err := d.narratedOps(ctx); err != nil {
		return err
	}
	d.load = startTraffic(ctx, d.kv, 2)
	d.ui.explain("A background client now writes and reads back without pause for the rest of the demo.")
	return d.showStatus(ctx)
}

// reconfGrow adds ids 3 and 4: 3 → 5.
func (d *demo) reconfGrow(ctx context.Context) error {
	d.ui.heading(2, "Two standbys join and catch up, then are promoted: 3 → 5 members")
	for _, i := range []int{3, 4} {
		d.ui.do("vr server --join --id %d --listen %s --cluster %s ...", i, d.cl.Addrs[i], strings.Join(d.cl.Addrs[:3], ","))
		if err := d.cl.Start(i, false); err != nil {
			return err
		}
	}
	d.ui.explain("A joiner is a member of nothing yet: it waits for a StartEpoch that names it. They come in as")
	d.ui.explain("STANDBYS first (VR Revisited §7.5): non-voting members that follow the log and the state but")
	d.ui.explain("count in no quorum and are never primary, so their catching up pauses nothing.")
	if err := d.reconfigure(ctx, 1, "--add-standby", fmt.Sprintf("3=%s,4=%s", d.cl.Addrs[3], d.cl.Addrs[4])); err != nil {
		return err
	}
	d.ui.explain("The primary committed the RECONFIGURATION in epoch 0 (f+1 = 2 of the old members), took a")
	d.ui.explain("checkpoint at it and moved to epoch 1, view 0. Every replica that executed it sends StartEpoch")
	d.ui.explain("(with the new members' addresses) until answered; 3 and 4 fetch the checkpoint in chunks,")
	d.ui.explain("enter epoch 1 and answer EpochStarted. The client learned the new configuration by itself.")
	if _, err := d.waitEpoch(ctx, 1, []int{0, 1, 2, 3, 4}); err != nil {
		return err
	}
	if _, err := d.waitFor(ctx, "the standbys 3 and 4 to hold the state", 30*time.Second, false, func(rows []statusRow) bool {
		return rows[3].err == nil && rows[3].status.HasState && rows[4].err == nil && rows[4].status.HasState
	}); err != nil {
		return err
	}
	if err := d.checkMove(ctx); err != nil {
		return err
	}
	if err := d.showStatus(ctx); err != nil {
		return err
	}
	d.ui.explain("The standbys hold the state, so promoting them moves no checkpoint: the new epoch starts at once.")
	start := time.Now()
	if err := d.reconfigure(ctx, 2, "--promote", "3,4"); err != nil {
		return err
	}
	if _, err := d.waitEpoch(ctx, 2, []int{0, 1, 2, 3, 4}); err != nil {
		return err
	}
	d.ui.ok("the promotion took %v from the request to 5 voting members normal in epoch 2", time.Since(start).Round(time.Millisecond))
	return d.showStatus(ctx)
}

// checkMove runs `vr reconfigure --check --wait` (this binary) and shows
// its answer: the last move finished.
func (d *demo) checkMove(ctx context.Context) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	d.ui.do("vr reconfigure --check --wait 15s")
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, exe, "reconfigure", "--check", "--wait", "15s", "--cluster", strings.Join(d.cl.Addrs, ",")).CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		d.ui.line("     " + l)
	}
	if err != nil {
		return fmt.Errorf("vr reconfigure --check: %w", err)
	}
	return nil
}

// reconfReplace kills id 1 and replaces it by id 5 on a new port.
func (d *demo) reconfReplace(ctx context.Context) error {
	d.ui.heading(3, "A member crashes and is replaced by a new one on a new port")
	d.ui.do("kill -9 %d    # replica %s (id 1)", d.cl.Pid(1), d.cl.port(1))
	if err := d.cl.Kill(1); err != nil {
		return err
	}
	d.ui.explain("With 5 members, f = 2: the cluster goes on without it. An id is never reused: the")
	d.ui.explain("replacement gets id 5.")
	d.ui.do("vr server --join --id 5 --listen %s --cluster %s ...", d.cl.Addrs[5], strings.Join(d.cl.Addrs[:3], ","))
	if err := d.cl.Start(5, false); err != nil {
		return err
	}
	if err := d.reconfigure(ctx, 3, "--remove", "1", "--add", "5="+d.cl.Addrs[5]); err != nil {
		return err
	}
	if _, err := d.waitEpoch(ctx, 3, []int{0, 2, 3, 4, 5}); err != nil {
		return err
	}
	return d.showStatus(ctx)
}

// reconfRemovePrimary removes the primary and one more member: 5 → 3.
func (d *demo) reconfRemovePrimary(ctx context.Context) error {
	rows := d.snapshot(ctx)
	p := reconfPrimary(rows, 3)
	if p < 0 {
		return fmt.Errorf("no primary of epoch 3")
	}
	other := slices.DeleteFunc([]int{0, 2, 3}, func(id int) bool { return id == p })[0]
	d.final = slices.DeleteFunc([]int{0, 2, 3, 4, 5}, func(id int) bool { return id == p || id == other })
	d.ui.heading(4, fmt.Sprintf("The primary (id %d) leaves, and id %d too: 5 → 3 members", p, other))
	d.ui.explain("The primary commits the RECONFIGURATION that removes it, then accepts no client request")
	d.ui.explain("(transitioning). In epoch 4 the primary of view 0 is the first full member, id %d. The leaving", d.final[0])
	d.ui.explain("replicas serve the checkpoint until f'+1 = 2 new members said EpochStarted, then exit.")
	d.cl.ExpectExit(p)
	d.cl.ExpectExit(other)
	if err := d.reconfigure(ctx, 4, "--remove", fmt.Sprintf("%d,%d", p, other)); err != nil {
		return err
	}
	if _, err := d.waitEpoch(ctx, 4, d.final); err != nil {
		return err
	}
	if err := d.waitRetired(ctx, p, other); err != nil {
		return err
	}
	return d.showStatus(ctx)
}

// reconfCheck stops the load, reads back every acknowledged write and
// compares the final members' states.
func (d *demo) reconfCheck(ctx context.Context) error {
	d.ui.heading(5, "Checking")
	ops, slowest, err := d.load.finish()
	if err != nil {
		return fmt.Errorf("background client: %w", err)
	}
	d.ui.ok("the background client did %d requests through five epochs; none failed, the slowest took %v",
		ops, slowest.Round(time.Millisecond))
	if err := d.checkAcked(ctx); err != nil {
		return err
	}
	rows, err := d.waitFor(ctx, "one state on the final members", 15*time.Second, false, func(rows []statusRow) bool {
		return sameState(rows, d.final)
	})
	if err != nil {
		d.ui.fail("%v", err)
		return nil
	}
	d.digestsOK = true
	s := rows[d.final[0]].status
	d.ui.ok("members %v executed op %d and hold the same state (digest %016x)", d.final, s.Executed, s.Digest)
	return nil
}

// sameState reports whether the replicas ids executed the same ops and
// hold the same state.
func sameState(rows []statusRow, ids []int) bool {
	first := rows[ids[0]]
	for _, id := range ids {
		r := rows[id]
		if r.err != nil || first.err != nil || r.status.Executed != first.status.Executed || r.status.Digest != first.status.Digest {
			return false
		}
	}
	return true
}

// reconfigure runs `vr reconfigure` (this binary) and checks that it
// reports epoch want.
func (d *demo) reconfigure(ctx context.Context, want uint64, args ...string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	full := append([]string{"reconfigure", "--cluster", strings.Join(d.cl.Addrs, ","), "--admin-secret-file", d.secret}, args...)
	d.ui.do("vr reconfigure --admin-secret-file admin.secret %s", strings.Join(args, " "))
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, exe, full...).CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		d.ui.line("     " + l)
	}
	if err != nil {
		return fmt.Errorf("vr reconfigure %s: %w", strings.Join(args, " "), err)
	}
	if !strings.Contains(string(out), fmt.Sprintf("\nepoch %d: ", want)) {
		return fmt.Errorf("vr reconfigure %s did not report epoch %d", strings.Join(args, " "), want)
	}
	d.epochs = append(d.epochs, want)
	return nil
}

// waitEpoch waits until the members ids are normal in epoch, in one view,
// with that configuration and a primary among them.
func (d *demo) waitEpoch(ctx context.Context, epoch uint64, ids []int) ([]statusRow, error) {
	start := time.Now()
	rows, err := d.waitFor(ctx, fmt.Sprintf("epoch %d with members %v", epoch, ids), 20*time.Second, false,
		func(rows []statusRow) bool {
			m := rows[ids[0]].status.Members
			return reconfPrimary(rows, epoch) >= 0 && rows[ids[0]].err == nil &&
				slices.EqualFunc(m, ids, func(m node.MemberStatus, id int) bool { return m.ID == id })
		})
	if err != nil {
		return nil, err
	}
	p := reconfPrimary(rows, epoch)
	d.ui.ok("epoch %d: members %v normal in view %d, primary id %d (%s), after %v", epoch, ids,
		rows[p].status.View, p, d.cl.port(p), time.Since(start).Round(time.Millisecond))
	return rows, nil
}

// reconfPrimary is the id of the primary every member of the newest
// configuration of epoch agrees on, -1 if there is none yet. Ids are the
// demo's replica numbers.
func reconfPrimary(rows []statusRow, epoch uint64) int {
	i := slices.IndexFunc(rows, func(r statusRow) bool {
		return r.err == nil && r.status.Epoch == epoch && r.status.Index >= 0 && len(r.status.Members) > 0
	})
	if i < 0 {
		return -1
	}
	first := rows[i].status
	if first.Primary < 0 || first.Primary >= len(first.Members) {
		return -1
	}
	for _, m := range first.Members {
		if m.ID >= len(rows) {
			return -1
		}
		r := rows[m.ID]
		if r.err != nil || r.status.Epoch != epoch || r.status.Status != "normal" || r.status.View != first.View || r.status.Primary != first.Primary {
			return -1
		}
	}
	p := first.Members[first.Primary].ID
	if !rows[p].status.IsPrimary {
		return -1
	}
	return p
}

// waitRetired waits until the replicas ids exited, and checks that they
// exited with status 0 and logged why.
func (d *demo) waitRetired(ctx context.Context, ids ...int) error {
	_, err := d.waitFor(ctx, fmt.Sprintf("replicas %v to retire", ids), 20*time.Second, false, func([]statusRow) bool {
		return !slices.ContainsFunc(ids, d.cl.Running)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		st := d.cl.State(id)
		if st == nil || st.ExitCode() != 0 || !strings.Contains(string(d.cl.LogSince(id, 0)), "retired: this replica is not a member") {
			return fmt.Errorf("replica %s (id %d) exited with %v without saying it retired; see %s", d.cl.port(id), id, st, d.cl.LogPath(id))
		}
		d.ui.ok("replica %s (id %d) retired and exited with status 0", d.cl.port(id), id)
	}
	return nil
}

// showStatus prints what `vr status` shows.
func (d *demo) showStatus(ctx context.Context) error {
	rows := d.snapshot(ctx)
	d.ui.explain("vr status:")
	var b strings.Builder
	printConfig(&b, rows)
	d.ui.line("     " + strings.TrimSpace(b.String()))
	d.ui.table(d.cl.Addrs, rows)
	return nil
}
