package engine

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/bench/storage/pebblekv"
)

// Pebble is pebblekv.Store, checkpointed with Pebble checkpoints.
type Pebble struct{ *pebblekv.Store }

// OpenPebble opens (or creates) a Pebble engine in dir with default
// limits and o's sizes.
func OpenPebble(dir string, o pebblekv.Options) (*Pebble, error) {
	s, err := pebblekv.Open(dir, o)
	if err != nil {
		return nil, err
	}
	return &Pebble{s}, nil
}

// Apply executes op as the op after the last applied one.
func (p *Pebble) Apply(op []byte) []byte { return p.Store.Apply(p.Applied()+1, op) }

// Name returns "pebble".
func (*Pebble) Name() string { return "pebble" }

// Checkpoint flushes the memtable and takes a Pebble checkpoint. Written
// counts the flushed sstable bytes and the files that were copied rather
// than hard-linked (MANIFEST, OPTIONS, markers).
func (p *Pebble) Checkpoint(dir string) (CheckpointStats, error) {
	before := flushed(p.Metrics())
	if err := p.Store.Checkpoint(dir); err != nil {
		return CheckpointStats{}, err
	}
	st := CheckpointStats{Written: int64(flushed(p.Metrics()) - before)}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st.DirBytes += info.Size()
		if !strings.HasSuffix(path, ".sst") && !strings.HasSuffix(path, ".blob") {
			st.Written += info.Size()
		}
		return nil
	})
	return st, err
}

// flushed is the bytes written to L0 by flushes so far.
func flushed(m *pebble.Metrics) uint64 {
	return m.Levels[0].TableBytesFlushed + m.Levels[0].BlobBytesFlushed
}

// PhysicalWritten is the bytes Pebble wrote to sstables and blob files so
// far, by flushes and compactions: divided by the user bytes applied it
// gives the write amplification.
func (p *Pebble) PhysicalWritten() uint64 {
	m := p.Metrics()
	var n uint64
	for _, l := range m.Levels {
		n += l.TableBytesFlushed + l.TableBytesCompacted + l.BlobBytesFlushed + l.BlobBytesCompacted
	}
	return n
}

// OffHeap returns the bytes Pebble holds outside the Go heap (with cgo):
// the block cache and the memtables.
func (p *Pebble) OffHeap() (cache, memtables int64) {
	m := p.Metrics()
	return m.BlockCache.Size, int64(m.MemTable.Size)
}
