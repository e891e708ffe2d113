package wal

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

const benchPayload = 256

// BenchmarkWrite writes one 256-byte entry per op, without syncing.
func BenchmarkWrite(b *testing.B) {
	w, _ := mustOpen(b, b.TempDir(), 0)
	e := entry(1, 1, benchPayload)
	es := []message.Entry{e}
	b.SetBytes(entrySize(&e) + endSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		es[0].Op = uint64(i + 1)
		if err := w.Write(Batch{From: es[0].Op, Entries: es}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteSync writes and syncs one entry with a hard state per op
// from one goroutine: one fsync per op.
func BenchmarkWriteSync(b *testing.B) {
	w, _ := mustOpen(b, b.TempDir(), 0)
	es := []message.Entry{entry(1, 1, benchPayload)}
	hs := core.HardState{View: 1, LastNormalView: 1}
	b.ReportAllocs()
	start := w.fsyncs.Load()
	for i := 0; b.Loop(); i++ {
		es[0].Op = uint64(i + 1)
		hs.Commit = uint64(i)
		if err := w.WriteSync(Batch{From: es[0].Op, Entries: es, Hard: &hs}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.fsyncs.Load()-start)/float64(b.N), "fsyncs/op")
}

// BenchmarkWriteSync64 runs 64 goroutines that each write an entry with a
// hard state (ops assigned in order under a lock, as a primary would) and
// then Sync.
func BenchmarkWriteSync64(b *testing.B) {
	const goroutines = 64
	w, _ := mustOpen(b, b.TempDir(), 0)
	var (
		mu   sync.Mutex
		next uint64
		left atomic.Int64
	)
	left.Store(int64(b.N))
	b.ReportAllocs()
	b.ResetTimer()
	start := w.fsyncs.Load()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			es := []message.Entry{entry(1, 1, benchPayload)}
			hs := core.HardState{View: 1, LastNormalView: 1}
			for left.Add(-1) >= 0 {
				mu.Lock()
				next++
				es[0].Op, hs.Commit = next, next-1
				err := w.Write(Batch{From: next, Entries: es, Hard: &hs})
				mu.Unlock()
				if err == nil {
					err = w.Sync()
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(w.fsyncs.Load()-start)/float64(b.N), "fsyncs/op")
}
