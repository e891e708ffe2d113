// Package engine puts the two candidate state-machine engines of the
// durable mode behind one interface for the benchmarks and cmd/compare:
// kv.Store checkpointed by writing its snapshot to a file (Mem), and
// pebblekv.Store checkpointed by Pebble checkpoints (Pebble).
package engine

import (
	"time"

	"github.com/vr-go/vr/bench/storage/internal/workload"
)

// Engine is a state machine that can checkpoint itself into a directory.
type Engine interface {
	// Name is "kv" or "pebble".
	Name() string
	// Apply executes one encoded kv.Command.
	Apply(op []byte) []byte
	// Checkpoint writes a self-contained, durable checkpoint into dir,
	// which must not exist.
	Checkpoint(dir string) (CheckpointStats, error)
	// Close releases the engine.
	Close() error
}

// CheckpointStats describe one checkpoint.
type CheckpointStats struct {
	// Written is the bytes the checkpoint wrote: the snapshot file, or
	// the sstables flushed plus the files copied rather than linked.
	Written int64
	// DirBytes is the size of the checkpoint directory, hard links
	// included.
	DirBytes int64
}

// loadChunk is how many commands Load makes between timed runs.
const loadChunk = 4096

// Load inserts keys 0..n-1 in random order through Apply and returns the
// time spent in Apply (making the commands is not counted).
func Load(e Engine, n int, seed uint64) time.Duration {
	g := workload.New(seed, n)
	order := g.LoadOrder()
	ops := make([][]byte, 0, loadChunk)
	var spent time.Duration
	for len(order) > 0 {
		m := min(loadChunk, len(order))
		ops = ops[:0]
		for _, i := range order[:m] {
			ops = append(ops, g.PutKey(i))
		}
		order = order[m:]
		spent += Run(e, ops)
	}
	return spent
}

// Run applies ops in order and returns the time taken.
func Run(e Engine, ops [][]byte) time.Duration {
	start := time.Now()
	for _, op := range ops {
		e.Apply(op)
	}
	return time.Since(start)
}
