//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vr-go/vr/node"
)

// statusClient has short timeouts: a stopped replica must not stall polls.
var statusClient = &http.Client{Timeout: 500 * time.Millisecond}

// fetch reads one status endpoint; nil if it did not answer.
func fetch(ctx context.Context, endpoint string) *node.Status {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+endpoint+"/status", nil)
	if err != nil {
		return nil
	}
	resp, err := statusClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var s node.Status
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&s) != nil {
		return nil
	}
	return &s
}

// statuses reads every replica's status in parallel.
func (c *cluster) statuses(ctx context.Context) []*node.Status {
	out := make([]*node.Status, len(c.status))
	var wg sync.WaitGroup
	for i, ep := range c.status {
		wg.Go(func() { out[i] = fetch(ctx, ep) })
	}
	wg.Wait()
	return out
}

// waitFor polls the status endpoints until cond holds, for at most limit.
func (c *cluster) waitFor(ctx context.Context, what string, limit time.Duration, cond func([]*node.Status) bool) ([]*node.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		sts := c.statuses(ctx)
		if cond(sts) {
			return sts, nil
		}
		if err := c.crashed(); err != nil {
			return nil, fmt.Errorf("waiting for %s: %w", what, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no %s within %v; last status:\n%s", what, limit, describe(sts))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// agreed reports whether the replicas in want are all normal in one view
// whose primary is among them and knows it; it returns that primary.
func agreed(sts []*node.Status, want []int) (primary int, ok bool) {
	first := sts[want[0]]
	if first == nil {
		return -1, false
	}
	for _, i := range want {
		s := sts[i]
		if s == nil || s.Status != "normal" || s.View != first.View || s.Primary != first.Primary {
			return -1, false
		}
	}
	p := first.Primary
	for _, i := range want {
		if i == p && sts[p].IsPrimary {
			return p, true
		}
	}
	return -1, false
}

// all is every replica index of the cluster.
func (c *cluster) all() []int {
	idx := make([]int, len(c.addrs))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// waitHealthy waits until every replica is normal in the same view.
func (c *cluster) waitHealthy(ctx context.Context, limit time.Duration) ([]*node.Status, error) {
	return c.waitFor(ctx, "healthy cluster", limit, func(sts []*node.Status) bool {
		_, ok := agreed(sts, c.all())
		return ok
	})
}

// describe renders statuses for failure messages.
func describe(sts []*node.Status) string {
	var b strings.Builder
	for i, s := range sts {
		if s == nil {
			fmt.Fprintf(&b, "  replica %d: no answer\n", i)
			continue
		}
		fmt.Fprintf(&b, "  replica %d: %s view %d primary %d op %d commit %d executed %d\n",
			i, s.Status, s.View, s.Primary, s.OpNumber, s.CommitNumber, s.Executed)
	}
	return b.String()
}
