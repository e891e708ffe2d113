package client_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
)

func TestCoalescedWritesShareLogEntries(t *testing.T) {
	c, err := testcluster.Start(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	ctx := ctxT(t)
	cl, err := client.DialConfig(ctx, client.Config{Addrs: c.Addrs, Sessions: 4, Coalesce: 2, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	if _, err := cl.Put(ctx, []byte("warm"), []byte("up")); err != nil { // registers a session
		t.Fatal(err)
	}
	before := primaryStatus(t, c)
	const writers, each = 32, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				key := []byte(fmt.Sprintf("w%d", w))
				ver, err := cl.Put(ctx, key, []byte(fmt.Sprint(i)))
				if err != nil || ver == 0 {
					errs <- fmt.Errorf("writer %d put %d: version %d, %v", w, i, ver, err)
					return
				}
			}
			// A CAS that must fail gets its own error out of the batch.
			_, err := cl.CAS(ctx, []byte(fmt.Sprintf("w%d", w)), 1, []byte("x"))
			var casErr *client.CASError
			if !errors.As(err, &casErr) {
				errs <- fmt.Errorf("writer %d: stale CAS gave %v", w, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after := primaryStatus(t, c)
	ops := after.OpNumber - before.OpNumber
	if writes := uint64(writers * (each + 1)); ops >= writes/2 {
		t.Fatalf("%d writes took %d log entries: not coalesced", writes, ops)
	}
	for w := range writers {
		v, _, err := cl.Get(ctx, []byte(fmt.Sprintf("w%d", w)))
		if err != nil || string(v) != fmt.Sprint(each-1) {
			t.Fatalf("w%d = %q, %v", w, v, err)
		}
	}
	t.Logf("%d writes in %d log entries", writers*(each+1), ops)
}
