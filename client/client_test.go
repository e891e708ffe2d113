package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
)

func startCluster(t *testing.T, n int) (*testcluster.Cluster, *client.Client) {
	t.Helper()
	c, err := testcluster.Start(n, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.DialConfig(ctx, client.Config{Addrs: c.Addrs, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return c, cl
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestOperations(t *testing.T) {
	_, cl := startCluster(t, 3)
	ctx := ctxT(t)
	if _, _, err := cl.Get(ctx, []byte("k")); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	v1, err := cl.Put(ctx, []byte("k"), []byte("one"))
	if err != nil || v1 == 0 {
		t.Fatalf("put: %d %v", v1, err)
	}
	val, ver, err := cl.Get(ctx, []byte("k"))
	if err != nil || string(val) != "one" || ver != v1 {
		t.Fatalf("get: %q %d %v", val, ver, err)
	}
	_, err = cl.CAS(ctx, []byte("k"), v1+100, []byte("x"))
	var casErr *client.CASError
	if !errors.Is(err, client.ErrVersionMismatch) || !errors.As(err, &casErr) || casErr.Current != v1 {
		t.Fatalf("cas mismatch: %v", err)
	}
	v2, err := cl.CAS(ctx, []byte("k"), v1, []byte("two"))
	if err != nil || v2 <= v1 {
		t.Fatalf("cas: %d %v", v2, err)
	}
	for _, k := range []string{"p/a", "p/b", "q"} {
		if _, err := cl.Put(ctx, []byte(k), []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	items, more, err := cl.ScanPrefix(ctx, []byte("p/"), 1)
	if err != nil || len(items) != 1 || string(items[0].Key) != "p/a" || !more {
		t.Fatalf("scan prefix: %v %v %v", items, more, err)
	}
	items, _, err = cl.Scan(ctx, []byte("p/b"), nil, 10)
	if err != nil || len(items) != 2 || string(items[1].Key) != "q" {
		t.Fatalf("scan: %v %v", items, err)
	}
	found, err := cl.Delete(ctx, []byte("k"))
	if err != nil || !found {
		t.Fatalf("delete: %v %v", found, err)
	}
	if _, _, err := cl.Get(ctx, []byte("k")); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
}

func TestBadInputFailsBeforeSending(t *testing.T) {
	_, cl := startCluster(t, 3)
	ctx := ctxT(t)
	if _, err := cl.Put(ctx, []byte(strings.Repeat("k", 5000)), nil); !errors.Is(err, client.ErrKeyTooLarge) {
		t.Fatalf("big key: %v", err)
	}
	if _, err := cl.Put(ctx, nil, []byte("v")); !errors.Is(err, client.ErrEmptyKey) {
		t.Fatalf("empty key: %v", err)
	}
	if _, err := cl.Put(ctx, []byte("k"), make([]byte, 2<<20)); !errors.Is(err, client.ErrValueTooLarge) {
		t.Fatalf("big value: %v", err)
	}
}

func TestConcurrentCallsAndFailover(t *testing.T) {
	c, cl := startCluster(t, 3)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	write := func(round int) {
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := []byte(fmt.Sprintf("w%d", w))
				if _, err := cl.Put(ctx, key, []byte(fmt.Sprint(round))); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
	}
	write(1)
	c.Kill(0) // the primary of view 0
	write(2)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for w := 0; w < 8; w++ {
		v, _, err := cl.Get(ctx, []byte(fmt.Sprintf("w%d", w)))
		if err != nil || string(v) != "2" {
			t.Fatalf("w%d = %q, %v", w, v, err)
		}
	}
}

func TestContextEndsCall(t *testing.T) {
	c, cl := startCluster(t, 3)
	c.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := cl.Put(ctx, []byte("k"), []byte("v")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}
