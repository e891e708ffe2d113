//go:build linux

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/vr-go/vr/node"
)

// TestKilledPrimaryNoticedAtOnce kills the primary of a cluster whose
// view-change timeout is a minute (read leases 200 ms): its backups learn
// from their closed connections that it is gone (transport.Inbound.Lost,
// core.Replica.PeerLost), suspect it after two heartbeats of silence and
// change views once their lease promise ran out, long before any timeout
// could fire. The wait below is half the shortest timeout.
func TestKilledPrimaryNoticedAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := startCluster(ctx, t, 3, "--view-timeout", "1m", "--read-lease", "200ms")
	p, view, err := c.healthyPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	putKeys(ctx, t, c.Addrs, 5, 1)
	killed := time.Now()
	c.kill(p)
	sts, err := c.waitFor(ctx, "view change without a timeout", 30*time.Second, func(sts []*node.Status) bool {
		q, ok := agreed(sts, without(c.All(), p))
		return ok && sts[q].View > view
	})
	if err != nil {
		t.Fatalf("the backups of a killed primary did not change views before their timeout: %v", err)
	}
	q, _ := agreed(sts, without(c.All(), p))
	t.Logf("view %d formed %v after the primary was killed", sts[q].View, time.Since(killed).Round(time.Millisecond))
}
