package loadgen

import (
	"context"
	"errors"

	"github.com/vr-go/vr/client"
)

// ClientTarget adapts a vr client to Target. Size the client's session
// pool (client.Config.Sessions) to the number of load-generating clients,
// or calls wait for a free session and that wait counts as latency.
func ClientTarget(c *client.Client) Target { return clientTarget{c} }

type clientTarget struct{ c *client.Client }

func (t clientTarget) Put(ctx context.Context, key, value []byte) error {
	_, err := t.c.Put(ctx, key, value)
	return err
}

func (t clientTarget) Get(ctx context.Context, key []byte) error {
	_, _, err := t.c.Get(ctx, key)
	if errors.Is(err, client.ErrNotFound) {
		return nil
	}
	return err
}
