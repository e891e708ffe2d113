package engine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vr-go/vr/kv"
)

// snapshotFile is the file a Mem checkpoint writes in its directory.
const snapshotFile = "state.snap"

// Mem is kv.Store, the in-memory B-tree, checkpointed as a whole.
type Mem struct{ *kv.Store }

// NewMem returns an empty in-memory engine with default limits.
func NewMem() *Mem { return &Mem{kv.New(kv.Limits{})} }

// Apply executes op (the in-memory store needs no op-number).
func (m *Mem) Apply(op []byte) []byte { return m.Store.Apply(0, op) }

// Name returns "kv".
func (*Mem) Name() string { return "kv" }

// Checkpoint serializes the whole state with Snapshot and writes it to a
// file, with fsync of the file and the directory: the cost grows with the
// state, however few ops changed since the last checkpoint.
func (m *Mem) Checkpoint(dir string) (CheckpointStats, error) {
	snap := m.Bytes()
	if err := os.Mkdir(dir, 0o755); err != nil {
		return CheckpointStats{}, err
	}
	if err := writeSynced(filepath.Join(dir, snapshotFile), snap); err != nil {
		return CheckpointStats{}, err
	}
	if err := syncDir(dir); err != nil {
		return CheckpointStats{}, err
	}
	n := int64(len(snap))
	return CheckpointStats{Written: n, DirBytes: n}, nil
}

// Close does nothing.
func (*Mem) Close() error { return nil }

// RestoreMem reads the checkpoint in dir into a new in-memory engine.
func RestoreMem(dir string) (*Mem, error) {
	snap, err := os.ReadFile(filepath.Join(dir, snapshotFile))
	if err != nil {
		return nil, err
	}
	m := NewMem()
	if err := m.Restore(bytes.NewReader(snap)); err != nil {
		return nil, fmt.Errorf("restore %s: %w", dir, err)
	}
	return m, nil
}

// writeSynced writes b to a new file and fsyncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// syncDir fsyncs a directory, making the names in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
