package node_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/message"
)

// A RECONFIGURATION reaches the protocol only with a MAC of the cluster's
// admin secret: a wrong secret, or a cluster without one, is refused
// (RefuseUnauthorized) and nothing changes; with the secret, the core's
// own typed refusals come back (here: too few members, a stale epoch).
func TestReconfigurationNeedsAdminSecret(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	secret := []byte("node-test-admin-secret")
	for _, tc := range []struct {
		name       string
		server     []byte // the replicas' secret
		use        []byte // the administrator's
		epoch      uint64
		members    int
		wantReason message.RefusalReason
	}{
		{"wrong secret", secret, []byte("another-secret-entirely"), 0, 3, message.RefuseUnauthorized},
		{"no secret on the replicas", nil, secret, 0, 3, message.RefuseUnauthorized},
		{"too few members", secret, secret, 0, 1, message.RefuseTooSmall},
		{"stale epoch", secret, secret, 4, 3, message.RefuseStaleEpoch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &testcluster.Cluster{AdminSecret: tc.server}
			if err := c.StartNew(3, nil); err != nil {
				t.Fatal(err)
			}
			defer c.Stop()
			cl := dial(t, ctx, c)
			epoch, _, ms := cl.Config()
			if epoch != 0 || len(ms) != 3 || ms[1].Addr != c.Addrs[1] {
				t.Fatalf("discovered epoch %d, members %+v", epoch, ms)
			}
			// Keep the members and add id 3: a valid change but for the checks.
			target := append(ms, message.Member{ID: 3, Role: 1, Addr: "127.0.0.1:1"})[:tc.members]
			if tc.members == 3 {
				target = append(ms[:2:2], message.Member{ID: 3, Role: 1, Addr: "127.0.0.1:1"})
			}
			err := cl.Reconfigure(ctx, tc.use, tc.epoch, target)
			var re *client.RefusedError
			if !errors.As(err, &re) || re.Reason != tc.wantReason || !errors.Is(err, client.ErrNotApplied) {
				t.Fatalf("Reconfigure: %v, want a refusal for %v", err, tc.wantReason)
			}
			for i, n := range c.Nodes {
				if s := n.Status(); s.Epoch != 0 || len(s.Members) != 3 {
					t.Fatalf("replica %d after the refusal: epoch %d, %d members", i, s.Epoch, len(s.Members))
				}
			}
		})
	}
}
