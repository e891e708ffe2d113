package kv

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/benchcpu"
)

// BenchmarkApplyPut measures the replicated path for Put: decode, write,
// encode the result, over a working set of 1024 keys with 100-byte values.
func BenchmarkApplyPut(b *testing.B) {
	ops := make([][]byte, 1024)
	for i := range ops {
		key := binary.BigEndian.AppendUint32([]byte("key-"), uint32(i))
		ops[i] = NewPut(key, make([]byte, 100)).Encode()
	}
	s := New(Limits{})
	b.ReportAllocs()
	done := benchcpu.Start(b)
	for i := 0; b.Loop(); i++ {
		s.Apply(0, ops[i%len(ops)])
	}
	done()
}

// BenchmarkDigest measures Digest, which is O(1) in the number of keys.
func BenchmarkDigest(b *testing.B) {
	s := filledStore(1, 5000)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Digest()
	}
}

// BenchmarkApplyBatch is the comparison's write load as a replica applies
// it: batches of 64 Puts of 256-byte values over 10,000 8-byte keys
// (client coalescing packs concurrent writes this way). Time per batch.
func BenchmarkApplyBatch(b *testing.B) {
	const keys, batch = 10000, 64
	cmds := make([][]byte, 256)
	for i := range cmds {
		puts := make([]Command, batch)
		for j := range puts {
			k := (i*batch + j) * 7919 % keys
			puts[j] = NewPut(fmt.Appendf(nil, "%08d", k), make([]byte, 256))
		}
		cmds[i] = NewBatch(puts).Encode()
	}
	s := New(Limits{})
	for _, c := range cmds {
		s.Apply(0, c)
	}
	b.ReportAllocs()
	done := benchcpu.Start(b)
	for i := 0; b.Loop(); i++ {
		s.Apply(0, cmds[i%len(cmds)])
	}
	done()
}

// BenchmarkEncodeBatch encodes what a coalescing client sends for 64
// concurrent Puts of 256-byte values, and the result a replica sends back.
func BenchmarkEncodeBatch(b *testing.B) {
	puts := make([]Command, 64)
	results := make([]Result, 64)
	for i := range puts {
		puts[i] = NewPut(fmt.Appendf(nil, "%08d", i), make([]byte, 256))
		results[i] = Result{Kind: KindPut, Version: uint64(1e6 + i)}
	}
	res := Result{Kind: KindBatch, Batch: results}
	b.ReportAllocs()
	done := benchcpu.Start(b)
	for b.Loop() {
		_ = NewBatch(puts).Encode()
		_ = res.Encode()
	}
	done()
}

// BenchmarkApplyLargeState is issue 10's sustained load as one replica
// applies it: batches of 64 Puts of 1 KiB values to uniformly random keys
// of a store that holds 1,000,000 keys (about 1 GiB), with a checkpoint
// snapshot taken every 8 MiB of writes and its delta written (as the
// node does, core.DefaultCheckpointBytes): the tree's copy-on-write after
// each snapshot and the collector's work over a large heap are in the
// CPU per batch. The fill is not measured. Opt-in (VR_BENCH_LARGE=1):
// the fill takes a GiB and tens of seconds.
func BenchmarkApplyLargeState(b *testing.B) {
	if os.Getenv("VR_BENCH_LARGE") == "" {
		b.Skip("set VR_BENCH_LARGE=1: fills a store of 1M keys × 1 KiB")
	}
	const keys, batch, valueSize, snapEvery = 1_000_000, 64, 1024, (8 << 20) / (64 * 1024)
	s := newStore(Limits{}, benchLayout())
	value := make([]byte, valueSize)
	fill := make([]Command, 0, batch)
	for k := 0; k < keys; k++ {
		fill = append(fill, NewPut(fmt.Appendf(nil, "%08d", k), value))
		if len(fill) == batch {
			s.Apply(0, NewBatch(fill).Encode())
			fill = fill[:0]
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cmds := make([][]byte, 1024)
	for i := range cmds {
		puts := make([]Command, batch)
		for j := range puts {
			puts[j] = NewPut(fmt.Appendf(nil, "%08d", rng.IntN(keys)), value)
		}
		cmds[i] = NewBatch(puts).Encode()
	}
	s.Snapshot()
	runtime.GC()
	b.ReportAllocs()
	done := benchcpu.Start(b)
	for i := 0; b.Loop(); i++ {
		s.Apply(0, cmds[i%len(cmds)])
		if i%snapEvery == snapEvery-1 {
			_, _ = s.Snapshot().(*snapshot).WriteDeltaTo(io.Discard)
		}
	}
	done()
	m := s.Memory()
	b.ReportMetric(float64(m.SlabBytes)/float64(m.LiveBytes), "slab/live")
	b.ReportMetric(float64(m.Compactions)/float64(b.N), "compactions/op")
}

// benchLayout is the large benchmarks' layout: the default, with
// VR_BENCH_SLACK (percent) as its SlackPercent if set.
func benchLayout() Layout {
	var layout Layout
	if v := os.Getenv("VR_BENCH_SLACK"); v != "" {
		layout.SlackPercent, _ = strconv.Atoi(v)
	}
	return layout
}

// BenchmarkOverwriteLargeState is BenchmarkApplyLargeState with every
// batch drawn anew (its encoding inside the measured loop, a few percent
// of it): uniform overwrites over all 1M keys thin every slab, as `vr
// bench` does, so the store compacts. (ApplyLargeState cycles through
// 1,024 batches, about 65k keys, whose slabs empty whole and compact
// nothing.) Opt-in (VR_BENCH_LARGE=1); VR_BENCH_SLACK sets
// Layout.SlackPercent. Run it for a few million puts (-benchtime 60000x)
// so that the slabs reach their steady state.
func BenchmarkOverwriteLargeState(b *testing.B) {
	if os.Getenv("VR_BENCH_LARGE") == "" {
		b.Skip("set VR_BENCH_LARGE=1: fills a store of 1M keys × 1 KiB")
	}
	const keys, batch, valueSize, snapEvery = 1_000_000, 64, 1024, (8 << 20) / (64 * 1024)
	s := newStore(Limits{}, benchLayout())
	value := make([]byte, valueSize)
	puts := make([]Command, 0, batch)
	for k := 0; k < keys; k += batch {
		puts = puts[:0]
		for j := k; j < k+batch && j < keys; j++ {
			puts = append(puts, NewPut(fmt.Appendf(nil, "%08d", j), value))
		}
		s.Apply(0, NewBatch(puts).Encode())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	keyBufs := make([][]byte, batch)
	for j := range keyBufs {
		keyBufs[j] = make([]byte, 0, 8)
	}
	s.Snapshot()
	runtime.GC()
	before := s.Memory().Compactions
	var worst time.Duration
	over2ms := 0
	b.ReportAllocs()
	done := benchcpu.Start(b)
	for i := 0; b.Loop(); i++ {
		puts = puts[:0]
		for j := range batch {
			keyBufs[j] = fmt.Appendf(keyBufs[j][:0], "%08d", rng.IntN(keys))
			puts = append(puts, NewPut(keyBufs[j], value))
		}
		cmd := NewBatch(puts).Encode()
		start := time.Now()
		s.Apply(0, cmd)
		took := time.Since(start)
		worst = max(worst, took)
		if took > 2*time.Millisecond {
			over2ms++
		}
		if i%snapEvery == snapEvery-1 {
			_, _ = s.Snapshot().(*snapshot).WriteDeltaTo(io.Discard)
		}
	}
	done()
	m := s.Memory()
	b.ReportMetric(float64(m.SlabBytes)/float64(m.LiveBytes), "slab/live")
	b.ReportMetric(float64(m.Compactions-before)/float64(b.N), "compactions/op")
	// The longest batch: a compaction runs inside a write, on the
	// replica's loop, so its longest step is a stall of the loop.
	b.ReportMetric(float64(worst.Microseconds()), "worst-µs/op")
	b.ReportMetric(float64(over2ms), "over-2ms")
	b.ReportMetric(float64(m.MostMovedAtOnce), "most-moved-B")
}

// BenchmarkSnapshotLargeState writes a whole snapshot of a store of
// 1,000,000 keys × 1 KiB (a checkpoint base at issue 10's size) to a file
// in the temporary directory, as a diskless replica's base lane does.
// Opt-in (VR_BENCH_LARGE=1).
func BenchmarkSnapshotLargeState(b *testing.B) {
	if os.Getenv("VR_BENCH_LARGE") == "" {
		b.Skip("set VR_BENCH_LARGE=1: fills a store of 1M keys × 1 KiB")
	}
	s := New(Limits{})
	value := make([]byte, 1024)
	fill := make([]Command, 0, 64)
	for k := 0; k < 1_000_000; k++ {
		fill = append(fill, NewPut(fmt.Appendf(nil, "%08d", k), value))
		if len(fill) == cap(fill) {
			s.Apply(0, NewBatch(fill).Encode())
			fill = fill[:0]
		}
	}
	f, err := os.CreateTemp(b.TempDir(), "base-*")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	b.SetBytes(s.Size())
	done := benchcpu.Start(b)
	for b.Loop() {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Snapshot().WriteTo(f); err != nil {
			b.Fatal(err)
		}
	}
	done()
}
