//go:build linux

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/procs"
	"github.com/vr-go/vr/node"
)

// TestJoinerRoles runs the roles a joiner and a member can take on real
// processes (issue 12) while a client writes: a replica started with
// vr server --join --standby and the admin secret adds itself as a
// standby (no vr reconfigure); two replicas started with --join --witness
// are added with vr reconfigure --add-witness (3 full + 2 witnesses); the
// primary is demoted to a standby while the standby is promoted, in one
// reconfiguration; the witnesses are removed and exit; a full replica is
// moved to a new port (vr reconfigure --move, restarted with --listen
// there). Every acknowledged write must read back, through a client that
// knows only the moved replica's new address, and the full replicas and
// standbys agree on the state.
func TestJoinerRoles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second*time.Duration(timeScale()))
	defer cancel()
	r := startReconfigCluster(ctx, t)
	var moved map[int]string // id → the address it was moved to (--listen)
	r.Extra = func(i int) []string {
		if a, ok := moved[i]; ok {
			return []string{"--listen", a}
		}
		switch i {
		case 3:
			return []string{"--standby"}
		case 4, 5:
			return []string{"--witness"}
		}
		return nil
	}
	acks, err := startAckWriterWith(ctx, r.Addrs[:3], false)
	if err != nil {
		t.Fatal(err)
	}
	defer acks.finish()

	r.start(3, false) // adds itself
	sts := r.waitEpoch(ctx, 1, []int{0, 1, 2, 3})
	r.checkRoles(sts, map[int]string{0: "full", 1: "full", 2: "full", 3: "standby"})
	if !strings.Contains(string(r.LogSince(3, 0)), "the cluster added this replica as a standby") {
		t.Errorf("the standby's log does not say it added itself")
	}

	r.start(4, false)
	r.start(5, false)
	r.reconfigure(ctx, 2, "--add-witness", "4="+r.Addrs[4]+",5="+r.Addrs[5])
	sts = r.waitEpoch(ctx, 2, []int{0, 1, 2, 3, 4, 5})
	r.checkRoles(sts, map[int]string{3: "standby", 4: "witness", 5: "witness"})

	primary := r.primaryID(sts, 2)
	r.reconfigurePromoting(ctx, 3, "--demote", strconv.Itoa(primary), "--promote", "3")
	sts = r.waitEpoch(ctx, 3, []int{0, 1, 2, 3, 4, 5})
	r.checkRoles(sts, map[int]string{primary: "standby", 3: "full"})
	if p := r.primaryID(sts, 3); p == primary || p < 0 {
		t.Fatalf("epoch 3's primary is %d, the demoted replica was %d", p, primary)
	}

	r.ExpectExit(4)
	r.ExpectExit(5)
	r.reconfigure(ctx, 4, "--remove", "4,5")
	r.waitEpoch(ctx, 4, []int{0, 1, 2, 3})
	r.waitRetired(ctx, 4, 5)

	// Move a full replica that is not the primary to a new port: SIGKILL
	// it, give it the new address, restart it there (diskless: it
	// recovers, learning the epoch from its peers).
	sts = r.waitEpoch(ctx, 4, []int{0, 1, 2, 3})
	mover := 1
	for _, id := range []int{1, 2, 3} {
		if id != r.primaryID(sts, 4) && sts[id].Role == "full" {
			mover = id
			break
		}
	}
	free, err := procs.FreeAddrs(1)
	if err != nil {
		t.Fatal(err)
	}
	r.kill(mover)
	r.reconfigure(ctx, 5, "--move", strconv.Itoa(mover)+"="+free[0])
	moved = map[int]string{mover: free[0]}
	r.start(mover, false)
	sts = r.waitEpoch(ctx, 5, []int{0, 1, 2, 3})
	if a := sts[0].Members[mover].Addr; a != free[0] {
		t.Fatalf("member %d at %s after the move, want %s", mover, a, free[0])
	}

	acks.check(ctx, t, []string{free[0]}) // a client that knows only the new address
	r.checkDigests(ctx, []int{0, 1, 2, 3})
}

// checkRoles checks the roles the members' status pages report.
func (r *reconfigCluster) checkRoles(sts []*node.Status, want map[int]string) {
	r.t.Helper()
	for id, role := range want {
		if s := sts[id]; s == nil || s.Role != role {
			r.t.Fatalf("replica %d: role %v, want %s\n%s", id, roleOf(s), role, describe(sts))
		}
	}
}

func roleOf(s *node.Status) string {
	if s == nil {
		return "unknown"
	}
	return fmt.Sprintf("%q", s.Role)
}
