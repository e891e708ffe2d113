package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vr-go/vr/client"
)

// demoOpTimeout bounds one client request, view changes included.
const demoOpTimeout = 10 * time.Second

// demoKV is the demo's client. It remembers the last acknowledged value of
// every key it wrote, to check at the end that none was lost. Each key has
// one writer at a time, so "last acknowledged" is well defined.
type demoKV struct {
	c     *client.Client
	mu    sync.Mutex
	acked map[string]string
	ops   int
}

func dialDemoKV(ctx context.Context, addrs []string, witnesses []int, tlsCfg *tls.Config) (*demoKV, error) {
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Sessions: 4, RetryInterval: 100 * time.Millisecond,
		TLS: tlsCfg, Witnesses: witnesses})
	if err != nil {
		return nil, fmt.Errorf("client cannot reach the cluster: %w", err)
	}
	return &demoKV{c: c, acked: map[string]string{}}, nil
}

// put writes key and remembers the value once acknowledged.
func (k *demoKV) put(ctx context.Context, key, val string) (uint64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, demoOpTimeout)
	defer cancel()
	start := time.Now()
	v, err := k.c.Put(ctx, []byte(key), []byte(val))
	took := time.Since(start)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ops++
	if err != nil {
		return 0, took, fmt.Errorf("put %s=%s: %w", key, val, err)
	}
	k.acked[key] = val
	return v, took, nil
}

// get reads key; found is false if it does not exist.
func (k *demoKV) get(ctx context.Context, key string) (val string, found bool, took time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, demoOpTimeout)
	defer cancel()
	start := time.Now()
	v, _, err := k.c.Get(ctx, []byte(key))
	took = time.Since(start)
	k.mu.Lock()
	k.ops++
	k.mu.Unlock()
	if errors.Is(err, client.ErrNotFound) {
		return "", false, took, nil
	}
	if err != nil {
		return "", false, took, fmt.Errorf("get %s: %w", key, err)
	}
	return string(v), true, took, nil
}

// snapshot returns a copy of the acknowledged writes and the request count.
func (k *demoKV) snapshot() (map[string]string, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	m := make(map[string]string, len(k.acked))
	for key, v := range k.acked {
		m[key] = v
	}
	return m, k.ops
}
