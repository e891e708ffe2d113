//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vr-go/vr/internal/procs"
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
	out := make([]*node.Status, len(c.StatusAddrs))
	var wg sync.WaitGroup
	for i, ep := range c.StatusAddrs {
		wg.Go(func() { out[i] = fetch(ctx, ep) })
	}
	wg.Wait()
	return out
}

// waitFor polls the status endpoints until cond holds, for at most limit.
func (c *cluster) waitFor(ctx context.Context, what string, limit time.Duration, cond func([]*node.Status) bool) ([]*node.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var sts []*node.Status
	err := procs.Poll(ctx, 20*time.Millisecond, func() (bool, error) {
		sts = c.statuses(ctx)
		if cond(sts) {
			return true, nil
		}
		if err := c.crashed(); err != nil {
			return false, fmt.Errorf("waiting for %s: %w", what, err)
		}
		return false, nil
	})
	switch {
	case err == nil:
		return sts, nil
	case errors.Is(err, ctx.Err()): // ctx.Err() is nil until ctx ends
		return nil, fmt.Errorf("no %s within %v; last status:\n%s", what, limit, describe(sts))
	}
	return nil, err
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

// waitHealthy waits until every replica is normal in the same view.
func (c *cluster) waitHealthy(ctx context.Context, limit time.Duration) ([]*node.Status, error) {
	return c.waitFor(ctx, "healthy cluster", limit, func(sts []*node.Status) bool {
		_, ok := agreed(sts, c.All())
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
		fmt.Fprintf(&b, "  replica %d: %s view %d primary %d op %d commit %d executed %d log base %d checkpoint %d\n",
			i, s.Status, s.View, s.Primary, s.OpNumber, s.CommitNumber, s.Executed, s.LogBase, s.CheckpointOp)
	}
	return b.String()
}
