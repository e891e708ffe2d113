package client_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/testcluster"
)

// benchClient starts a 3-replica cluster in the process and dials it.
func benchClient(b *testing.B, cfg client.Config) *client.Client {
	b.Helper()
	c, err := testcluster.Start(3, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg.Addrs = c.Addrs
	cl, err := client.DialConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cl.Close() })
	if _, err := cl.Put(ctx, []byte("warm"), []byte("up")); err != nil {
		b.Fatal(err)
	}
	return cl
}

// BenchmarkPut measures one caller's puts, end to end through a cluster
// in this process: the session pool is on this path.
func BenchmarkPut(b *testing.B) {
	for _, co := range []int{1, -1} {
		b.Run(fmt.Sprintf("coalesce=%d", co), func(b *testing.B) {
			cl := benchClient(b, client.Config{Coalesce: co})
			ctx := context.Background()
			value := []byte("value")
			for i := 0; b.Loop(); i++ {
				if _, err := cl.Put(ctx, []byte(fmt.Sprint(i%100)), value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutParallel measures concurrent callers sharing the pool.
func BenchmarkPutParallel(b *testing.B) {
	cl := benchClient(b, client.Config{Coalesce: -1, Sessions: 64})
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		value := []byte("value")
		for pb.Next() {
			if _, err := cl.Put(ctx, []byte(fmt.Sprint(n.Add(1)%100)), value); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetLease measures one caller's lease reads (no log op).
func BenchmarkGetLease(b *testing.B) {
	cl := benchClient(b, client.Config{})
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := cl.Get(ctx, []byte("warm")); err != nil {
			b.Fatal(err)
		}
	}
}
