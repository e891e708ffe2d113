package client_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

func TestIncrConcurrentAndReader(t *testing.T) {
	tc, cl := startCluster(t, 3)
	ctx := ctxT(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if _, _, err := cl.Incr(ctx, []byte("n"), 2); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	n, _, err := cl.Incr(ctx, []byte("n"), -1)
	if err != nil || n != 2*workers*each-1 {
		t.Fatalf("after %d increments of 2 and one of -1: %d %v", workers*each, n, err)
	}
	if _, err := cl.Put(ctx, []byte("s"), []byte("text")); err != nil {
		t.Fatal(err)
	}
	_, _, err = cl.Incr(ctx, []byte("s"), 1)
	if !errors.Is(err, kv.ErrNotInteger) || !errors.Is(err, client.ErrNotApplied) {
		t.Fatalf("incr of text: %v", err)
	}
	for _, mode := range []client.ReadMode{client.ReadLease, client.ReadLog, client.ReadStale} {
		r, err := cl.Reader(mode)
		if err != nil {
			t.Fatal(err)
		}
		// A stale read may miss the last write; poll until it shows.
		for {
			v, _, err := r.Get(ctx, []byte("s"))
			if err == nil && string(v) == "text" {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%s read never saw the write: %q %v", mode, v, err)
			}
		}
	}
	if _, err := cl.Reader("fast"); !errors.Is(err, client.ErrBadConfig) {
		t.Fatalf("unknown read mode: %v", err)
	}
	if view, primary := cl.View(); primary != tc.Addrs[view%3] {
		t.Fatalf("view %d primary %s", view, primary)
	}
}
