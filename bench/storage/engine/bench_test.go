package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/bench/storage/internal/workload"
)

// opsPerRun is the length of the precomputed command cycle.
const opsPerRun = 1 << 16

// BenchmarkApply measures Apply on a loaded store: random overwrites
// (put) and half reads, half overwrites (get50put50).
func BenchmarkApply(b *testing.B) {
	for _, mix := range []workload.Mix{workload.PutOnly, workload.GetPut} {
		for _, sz := range sizes {
			for _, name := range engines {
				b.Run(fmt.Sprintf("%s/%s/%s", mix, sz.name, name), func(b *testing.B) {
					e := fixture(b, name, sz.n)
					ops := workload.New(2, sz.n).Ops(mix, opsPerRun)
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						e.Apply(ops[i%len(ops)])
					}
				})
			}
		}
	}
}

// checkpointGap is how many Puts run (untimed) between two checkpoints,
// so that every Pebble checkpoint has a memtable to flush.
const checkpointGap = 10_000

// BenchmarkCheckpoint measures one checkpoint: kv's Snapshot written to a
// file with fsync, against Pebble's Flush and Checkpoint.
func BenchmarkCheckpoint(b *testing.B) {
	for _, sz := range sizes {
		for _, name := range engines {
			b.Run(sz.name+"/"+name, func(b *testing.B) {
				e := fixture(b, name, sz.n)
				g := workload.New(3, sz.n)
				var st CheckpointStats
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					b.StopTimer()
					Run(e, g.Ops(workload.PutOnly, checkpointGap))
					dir := filepath.Join(benchDir, fmt.Sprintf("ckpt-%s-%s-%d", name, sz.name, i))
					b.StartTimer()
					var err error
					if st, err = e.Checkpoint(dir); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					_ = os.RemoveAll(dir)
					b.StartTimer()
				}
				b.ReportMetric(float64(st.Written)/(1<<20), "MiB-written")
				b.ReportMetric(float64(st.DirBytes)/(1<<20), "MiB-dir")
			})
		}
	}
}

// BenchmarkRestore measures bringing a store back from a checkpoint: kv
// reads the file and rebuilds the tree; Pebble opens the directory (its
// data stays on disk, read lazily).
func BenchmarkRestore(b *testing.B) {
	for _, sz := range sizes {
		for _, name := range engines {
			b.Run(sz.name+"/"+name, func(b *testing.B) {
				dir := filepath.Join(benchDir, fmt.Sprintf("restore-%s-%s", name, sz.name))
				if _, err := os.Stat(dir); err != nil {
					if _, err := fixture(b, name, sz.n).Checkpoint(dir); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := restore(b, name, dir).Close(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkMemory loads a fresh store and reports the live Go heap it
// holds after GC and, for Pebble, its off-heap block cache and memtables.
// (cmd/compare reports the heap in use, each engine in its own process.)
func BenchmarkMemory(b *testing.B) {
	for _, sz := range sizes {
		for _, name := range engines {
			b.Run(sz.name+"/"+name, func(b *testing.B) {
				var heap, cache, mem int64
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					base := LiveHeap()
					e := newEngine(b, name, filepath.Join(benchDir, fmt.Sprintf("mem-%s-%s-%d", name, sz.name, i)))
					Load(e, sz.n, loadSeed)
					heap = int64(LiveHeap()) - int64(base)
					if p, ok := e.(*Pebble); ok {
						cache, mem = p.OffHeap()
					}
					if err := e.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(heap)/(1<<20), "MiB-live-heap")
				b.ReportMetric(float64(cache)/(1<<20), "MiB-cache")
				b.ReportMetric(float64(mem)/(1<<20), "MiB-memtable")
			})
		}
	}
}
