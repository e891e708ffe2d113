package main

import (
	"context"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/vr-go/vr/loadgen"
)

// etcdTarget drives etcd through loadgen: Puts and linearizable Gets
// (etcd's default), spread round-robin over a few gRPC connections.
type etcdTarget struct {
	clients []*clientv3.Client
	next    atomic.Uint64
}

// etcdConns is how many gRPC connections serve n load clients: one per 16
// (HTTP/2 multiplexes the rest), at least 1 and at most 64.
func etcdConns(n int) int { return min(max(n/16, 1), 64) }

// newEtcdTarget connects conns clients to endpoint (the leader, so that
// writes are not forwarded, as our client also talks to the primary).
func newEtcdTarget(endpoint string, conns int) (*etcdTarget, error) {
	t := &etcdTarget{}
	for range conns {
		c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: quietZap()})
		if err != nil {
			t.close()
			return nil, err
		}
		t.clients = append(t.clients, c)
	}
	return t, nil
}

func (t *etcdTarget) pick() *clientv3.Client {
	return t.clients[t.next.Add(1)%uint64(len(t.clients))]
}

func (t *etcdTarget) Put(ctx context.Context, key, value []byte) error {
	_, err := t.pick().Put(ctx, string(key), string(value))
	return err
}

// Get succeeds for a missing key too (an empty response).
func (t *etcdTarget) Get(ctx context.Context, key []byte) error {
	_, err := t.pick().Get(ctx, string(key))
	return err
}

func (t *etcdTarget) close() {
	for _, c := range t.clients {
		c.Close()
	}
}

var _ loadgen.Target = (*etcdTarget)(nil)

// quietZap is a logger for etcd's client that only reports errors.
func quietZap() *zap.Logger {
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
	l, err := cfg.Build()
	if err != nil {
		return zap.NewNop()
	}
	return l
}
