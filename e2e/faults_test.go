//go:build linux

package e2e

import (
	"context"
	"slices"
	"syscall"
	"time"

	"github.com/vr-go/vr/node"
)

// waitLimit bounds each wait for the cluster to react to a fault.
var waitLimit = 15 * time.Second * time.Duration(timeScale())

// without returns idx minus i.
func without(idx []int, i int) []int {
	return slices.DeleteFunc(slices.Clone(idx), func(j int) bool { return j == i })
}

// healthyPrimary waits for a healthy cluster and returns its primary and view.
func (c *cluster) healthyPrimary(ctx context.Context) (int, uint64, error) {
	sts, err := c.waitHealthy(ctx, waitLimit)
	if err != nil {
		return -1, 0, err
	}
	p, _ := agreed(sts, c.All())
	return p, sts[p].View, nil
}

// killPrimary crashes the primary with SIGKILL and restarts it without
// --new-cluster, so it recovers. With waitView the restart comes only after
// the survivors finished the view change; otherwise at once, so recovery
// and view change overlap. It returns once all replicas are normal again:
// never more than one replica is without its state.
func (c *cluster) killPrimary(ctx context.Context, waitView bool) error {
	p, view, err := c.healthyPrimary(ctx)
	if err != nil {
		return err
	}
	c.kill(p)
	if waitView {
		if _, err := c.waitNewView(ctx, without(c.All(), p), view); err != nil {
			return err
		}
	}
	c.start(p, false)
	_, err = c.waitHealthy(ctx, waitLimit)
	return err
}

// waitNewView waits until the replicas in live agree on a view after view.
func (c *cluster) waitNewView(ctx context.Context, live []int, view uint64) ([]*node.Status, error) {
	return c.waitFor(ctx, "view change", waitLimit, func(sts []*node.Status) bool {
		q, ok := agreed(sts, live)
		return ok && sts[q].View > view
	})
}

// pause stops a replica with SIGSTOP, the primary if primary is set, else a
// backup, until the others have made progress without it: a new view
// around a stopped primary, or more commits past a stopped backup. Then it
// resumes it and waits until it is back in step.
func (c *cluster) pause(ctx context.Context, primary bool) error {
	p, view, err := c.healthyPrimary(ctx)
	if err != nil {
		return err
	}
	target := p
	if !primary {
		target = (p + 1) % len(c.Addrs)
	}
	c.signal(target, syscall.SIGSTOP)
	if primary {
		_, err = c.waitNewView(ctx, without(c.All(), p), view)
	} else {
		err = c.waitCommits(ctx, p, 100)
	}
	c.signal(target, syscall.SIGCONT)
	if err != nil {
		return err
	}
	_, err = c.waitHealthy(ctx, waitLimit)
	return err
}

// waitCommits waits until primary p has committed n more ops.
func (c *cluster) waitCommits(ctx context.Context, p int, n uint64) error {
	base := c.statuses(ctx)[p]
	if base == nil {
		return nil
	}
	_, err := c.waitFor(ctx, "commits without the stopped backup", waitLimit, func(sts []*node.Status) bool {
		return sts[p] != nil && sts[p].CommitNumber >= base.CommitNumber+n
	})
	return err
}

// waitConverged waits until every replica is normal and has executed every
// op in its log, the same on all, and returns their statuses.
func (c *cluster) waitConverged(ctx context.Context) ([]*node.Status, error) {
	return c.waitConvergedWithin(ctx, waitLimit)
}

// waitConvergedWithin is waitConverged with a wait of at most limit.
func (c *cluster) waitConvergedWithin(ctx context.Context, limit time.Duration) ([]*node.Status, error) {
	return c.waitFor(ctx, "replicas converged", limit, func(sts []*node.Status) bool {
		if _, ok := agreed(sts, c.All()); !ok {
			return false
		}
		for _, s := range sts {
			if s.OpNumber != sts[0].OpNumber || s.Executed != s.OpNumber || s.CommitNumber != s.OpNumber {
				return false
			}
		}
		return true
	})
}
