//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/node"
)

// TestReconfigureUnderLoad moves a cluster of real processes through four
// epochs while clients write (issue 12): it grows 3 → 5 (ids 3 and 4 join),
// replaces a SIGKILLed member (id 1) by a new one on a new port (id 5),
// then removes the primary and one more member, 5 → 3. A reconfiguration
// without the admin secret is refused and changes nothing. Then the whole
// history must be linearizable (porcupine), every acknowledged write must
// read back, through a fresh client that knows only retired or dead
// addresses and one member's, and the members must agree on the state.
func TestReconfigureUnderLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second*time.Duration(timeScale()))
	defer cancel()
	r := startReconfigCluster(ctx, t)
	w := newWorkload([]string{"k0", "k1", "k2", "k3", "k4"})
	w.discover = true
	defer w.finish()
	if err := w.start(ctx, r.Addrs[:3], 3); err != nil {
		t.Fatal(err)
	}
	acks, err := startAckWriterWith(ctx, r.Addrs[:3], false)
	if err != nil {
		t.Fatal(err)
	}
	defer acks.finish()
	r.waitCalls(ctx, w, 100)

	r.refusedWithoutSecret(ctx)
	r.start(3, false)
	r.start(4, false)
	r.reconfigure(ctx, 1, "--add", "3="+r.Addrs[3]+",4="+r.Addrs[4])
	r.waitEpoch(ctx, 1, []int{0, 1, 2, 3, 4})
	r.waitCalls(ctx, w, 100)

	r.kill(1)
	r.start(5, false)
	r.reconfigure(ctx, 2, "--remove", "1", "--add", "5="+r.Addrs[5])
	sts := r.waitEpoch(ctx, 2, []int{0, 2, 3, 4, 5})
	r.waitCalls(ctx, w, 100)

	primary := r.primaryID(sts, 2)
	if primary < 0 {
		t.Fatalf("no primary of epoch 2 in:\n%s", describe(sts))
	}
	other := slices.DeleteFunc([]int{0, 2, 3}, func(id int) bool { return id == primary })[0]
	final := slices.DeleteFunc([]int{0, 2, 3, 4, 5}, func(id int) bool { return id == primary || id == other })
	r.ExpectExit(primary)
	r.ExpectExit(other)
	r.reconfigure(ctx, 3, "--remove", strconv.Itoa(primary)+","+strconv.Itoa(other))
	r.waitEpoch(ctx, 3, final)
	r.waitRetired(ctx, primary, other)
	r.waitCalls(ctx, w, 100)

	w.finish()
	t.Logf("%d calls answered, %d with unknown outcome", w.done.Load(), w.unknown.Load())
	for _, err := range w.unexpected {
		t.Errorf("unexpected client error: %v", err)
	}
	// A client given only addresses of replicas that left (retired or
	// dead) and one member's finds the cluster.
	stale := []string{r.Addrs[primary], r.Addrs[other], r.Addrs[1], r.Addrs[final[0]]}
	got, err := w.readBack(ctx, stale)
	if err != nil {
		t.Fatal(err)
	}
	ops := w.rec.Operations()
	checkNoLostWrites(t, ops, got)
	checkLinearizable(ctx, t, ops, filepath.Dir(r.LogDir))
	acks.check(ctx, t, stale)
	r.checkDigests(ctx, final)
}

// reconfigCluster is a cluster whose ids 3, 4 and 5 are joiners.
type reconfigCluster struct {
	*cluster
	secret string // the admin secret file
}

// startReconfigCluster starts replicas 0, 1, 2 (of 6 addresses; ids 3..5
// join later) with an admin secret, and waits until they are healthy.
func startReconfigCluster(ctx context.Context, t *testing.T) *reconfigCluster {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "admin-secret")
	if err := os.WriteFile(secret, []byte("e2e-admin-secret-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, 6, artifactDir(t))
	c.JoinFrom = 3
	c.Flags = append(c.Flags, fastFlags()...)
	c.Flags = append(c.Flags, "--admin-secret-file", secret)
	t.Cleanup(c.killAll)
	t.Cleanup(c.logTailsOnFailure)
	for i := range 3 {
		c.start(i, true)
	}
	r := &reconfigCluster{cluster: c, secret: secret}
	r.waitEpoch(ctx, 0, []int{0, 1, 2})
	return r
}

// reconfigure runs vr reconfigure with args and checks that it reports
// epoch want.
func (r *reconfigCluster) reconfigure(ctx context.Context, want uint64, args ...string) {
	r.t.Helper()
	out, err := r.vrReconfigure(ctx, r.secret, args...)
	r.reconfigured(want, args, out, err)
}

// reconfigured checks what vr reconfigure args said: it succeeded and
// reported epoch want.
func (r *reconfigCluster) reconfigured(want uint64, args []string, out string, err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("vr reconfigure %v: %v\n%s", args, err, out)
	}
	if !strings.Contains(out, fmt.Sprintf("\nepoch %d: ", want)) {
		r.t.Fatalf("vr reconfigure %v did not report epoch %d:\n%s", args, want, out)
	}
	r.t.Logf("vr reconfigure %s:\n%s", strings.Join(args, " "), out)
}

// reconfigurePromoting is reconfigure for a change that promotes a
// standby: the cluster refuses it while the standby lags by more than a
// checkpoint ("let it catch up and try again"), which a loaded machine
// can make last, so it asks again every 200 ms until the standby caught
// up or the test's deadline. Any other refusal fails at once.
func (r *reconfigCluster) reconfigurePromoting(ctx context.Context, want uint64, args ...string) {
	r.t.Helper()
	for {
		out, err := r.vrReconfigure(ctx, r.secret, args...)
		if err == nil || !strings.Contains(out, "lags by more than a checkpoint") || ctx.Err() != nil {
			r.reconfigured(want, args, out, err)
			return
		}
		r.t.Logf("vr reconfigure %s refused while the standby catches up; asking again", strings.Join(args, " "))
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// vrReconfigure runs vr reconfigure against the addresses of ids 0..5.
func (r *reconfigCluster) vrReconfigure(ctx context.Context, secret string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, waitLimit)
	defer cancel()
	full := append([]string{"reconfigure", "--cluster", strings.Join(r.Addrs, ","), "--admin-secret-file", secret,
		"--timeout", waitLimit.String()}, args...)
	out, err := exec.CommandContext(ctx, vrBin, full...).CombinedOutput()
	return string(out), err
}

// refusedWithoutSecret checks that a reconfiguration under a wrong secret
// is refused, clearly, and changes nothing.
func (r *reconfigCluster) refusedWithoutSecret(ctx context.Context) {
	r.t.Helper()
	wrong := filepath.Join(filepath.Dir(r.secret), "wrong-secret")
	if err := os.WriteFile(wrong, []byte("not-the-admin-secret-000\n"), 0o600); err != nil {
		r.t.Fatal(err)
	}
	out, err := r.vrReconfigure(ctx, wrong, "--add", "3="+r.Addrs[3])
	if err == nil || !strings.Contains(out, "no valid admin credential") {
		r.t.Fatalf("a reconfiguration with a wrong secret: err %v, output:\n%s", err, out)
	}
	for i, s := range r.statuses(ctx)[:3] {
		if s == nil || s.Epoch != 0 || len(s.Members) != 3 {
			r.t.Fatalf("replica %d after a refused reconfiguration: %+v", i, s)
		}
	}
}

// waitEpoch waits until the replicas ids are all normal in epoch, in one
// view, with the configuration ids, and one of them is its primary.
func (r *reconfigCluster) waitEpoch(ctx context.Context, epoch uint64, ids []int) []*node.Status {
	r.t.Helper()
	what := fmt.Sprintf("epoch %d with members %v, normal in one view", epoch, ids)
	sts, err := r.waitFor(ctx, what, waitLimit, func(sts []*node.Status) bool {
		return r.primaryID(sts, epoch) >= 0 && slices.EqualFunc(sts[ids[0]].Members, ids,
			func(m node.MemberStatus, id int) bool { return m.ID == id })
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return sts
}

// primaryID is the id of the primary the members of the newest
// configuration agree on in epoch, -1 if they do not (yet).
func (r *reconfigCluster) primaryID(sts []*node.Status, epoch uint64) int {
	var first *node.Status
	for _, s := range sts {
		if s != nil && s.Epoch == epoch && len(s.Members) > 0 && s.Index >= 0 {
			first = s
			break
		}
	}
	if first == nil || first.Primary < 0 || first.Primary >= len(first.Members) {
		return -1
	}
	for _, m := range first.Members {
		s := sts[m.ID]
		if s == nil || s.Epoch != epoch || s.Status != "normal" || s.View != first.View || s.Primary != first.Primary {
			return -1
		}
	}
	p := first.Members[first.Primary].ID
	if !sts[p].IsPrimary {
		return -1
	}
	return p
}

// waitRetired waits until the replicas ids exited, and checks they exited
// with status 0 and said why.
func (r *reconfigCluster) waitRetired(ctx context.Context, ids ...int) {
	r.t.Helper()
	_, err := r.waitFor(ctx, fmt.Sprintf("replicas %v retired", ids), waitLimit, func([]*node.Status) bool {
		return !slices.ContainsFunc(ids, r.Running)
	})
	if err != nil {
		r.t.Fatal(err)
	}
	for _, id := range ids {
		if st := r.State(id); st == nil || st.ExitCode() != 0 {
			r.t.Errorf("replica %d exited with %v, want status 0", id, st)
		}
		if !strings.Contains(string(r.LogSince(id, 0)), "retired: this replica is not a member") {
			r.t.Errorf("replica %d's log does not say it retired", id)
		}
	}
}

// waitCalls waits until the workload answered n more calls.
func (r *reconfigCluster) waitCalls(ctx context.Context, w *workload, n int64) {
	r.t.Helper()
	want := w.done.Load() + n
	_, err := r.waitFor(ctx, fmt.Sprintf("%d answered calls", want), waitLimit, func([]*node.Status) bool {
		return w.done.Load() >= want
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// checkDigests checks that the members ids reach the same state.
func (r *reconfigCluster) checkDigests(ctx context.Context, ids []int) {
	r.t.Helper()
	_, err := r.waitFor(ctx, fmt.Sprintf("one state on replicas %v", ids), waitLimit, func(sts []*node.Status) bool {
		for _, id := range ids {
			if sts[id] == nil || sts[id].Digest != sts[ids[0]].Digest || sts[id].Executed != sts[ids[0]].Executed {
				return false
			}
		}
		return true
	})
	if err != nil {
		r.t.Fatal(err)
	}
}
