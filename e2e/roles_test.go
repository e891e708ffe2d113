//go:build linux

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/node"
)

// TestJoinerRoles runs the roles a joiner and a member can take on real
// processes (issue 12) while a client writes: a replica started with
// vr server --join --standby and the admin secret adds itself as a
// standby (no vr reconfigure); two replicas started with --join --witness
// are added with vr reconfigure --add-witness (3 full + 2 witnesses); the
// primary is demoted to a standby while the standby is promoted, in one
// reconfiguration; the witnesses are removed and exit. Every acknowledged
// write must read back and the full replicas and standbys agree on the
// state.
func TestJoinerRoles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second*time.Duration(timeScale()))
	defer cancel()
	r := startReconfigCluster(ctx, t)
	r.Extra = func(i int) []string {
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
	r.reconfigure(ctx, 3, "--demote", strconv.Itoa(primary), "--promote", "3")
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

	acks.check(ctx, t, r.Addrs[:4])
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
