package client

import (
	"context"

	"github.com/vr-go/vr/kv"
)

// Incr adds delta to the decimal integer stored at key (an absent key
// counts as 0) and returns the new value and the key's new version. The
// addition is one operation of the replicated store, so concurrent
// increments never lose one another. A value that is not a decimal 64-bit
// integer fails with kv.ErrNotInteger, a result out of range with
// kv.ErrOverflow; both match ErrNotApplied.
func (c *Client) Incr(ctx context.Context, key []byte, delta int64) (int64, uint64, error) {
	res, err := c.run(ctx, kv.NewIncr(key, delta))
	return res.Counter, res.Version, err
}

// View returns the highest view this client has learned of the epoch it
// knows, and the address of that view's primary.
func (c *Client) View() (uint64, string) {
	c.topoMu.Lock()
	defer c.topoMu.Unlock()
	return c.topo.view, c.topo.primaryAddr()
}
