//go:build linux

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
)

// ackedKV is a client that remembers the last acknowledged value of every
// key it wrote. It writes one key at a time, so "last" is well defined.
type ackedKV struct {
	c     *client.Client
	addrs []string
	acked map[string]string
}

func dialAcked(ctx context.Context, t *testing.T, addrs []string) *ackedKV {
	t.Helper()
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &ackedKV{c: c, addrs: addrs, acked: map[string]string{}}
}

// putKeys writes keys name0..name<n-1>, each with value, and fails the test
// on any error.
func (a *ackedKV) putKeys(ctx context.Context, t *testing.T, name string, n int, value string) {
	t.Helper()
	for i := range n {
		key := fmt.Sprintf("%s%d", name, i)
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := a.c.Put(pctx, []byte(key), []byte(value))
		cancel()
		if err != nil {
			t.Fatalf("put %s=%s: %v", key, value, err)
		}
		a.acked[key] = value
	}
}

// checkAll reads every key written back with a fresh client and checks that
// each holds its last acknowledged value.
func (a *ackedKV) checkAll(ctx context.Context, t *testing.T) {
	t.Helper()
	c, err := client.DialConfig(ctx, client.Config{Addrs: a.addrs, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bad := 0
	for key, want := range a.acked {
		gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		got, _, err := c.Get(gctx, []byte(key))
		cancel()
		if err != nil || string(got) != want {
			bad++
			t.Errorf("key %s: last acknowledged value %q, read back %q (%v)", key, want, got, err)
		}
	}
	if bad == 0 {
		t.Logf("all %d keys read back with their last acknowledged values", len(a.acked))
	}
}
