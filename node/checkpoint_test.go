package node_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/storage"
	"github.com/vr-go/vr/wal"
)

// startCheckpointing starts a durable 3-replica cluster that checkpoints
// every 10 ops and writes n keys.
func startCheckpointing(t *testing.T, ctx context.Context, dirs []string, n int) *testcluster.Cluster {
	t.Helper()
	c := &testcluster.Cluster{DataDirs: dirs, CheckpointInterval: 10, SegmentSize: 2048}
	if err := c.StartNew(3, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cl := dial(t, ctx, c)
	for k := 0; k < n; k++ {
		if _, err := cl.Put(ctx, []byte(fmt.Sprintf("k%d", k)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestCheckpointTruncatesDurableLog checks that a durable replica keeps the
// files of two checkpoints' chains (the newest, whose newest link the
// superblock names, and the one before, both served to peers), drops its
// log below them, and restarts.
func TestCheckpointTruncatesDurableLog(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startCheckpointing(t, ctx, dirs, 200)
	c.Stop()
	for i, dir := range dirs {
		bases, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.vrck"))
		files, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.vrc?"))
		if len(bases) == 0 || len(bases) > 2 || len(files) > 2*(1+64) {
			t.Fatalf("replica %d has checkpoint files %v, want the chains (a base, deltas) of two", i, files)
		}
		sb, err := wal.ReadSuperblock(wal.OS, dir)
		if err != nil || sb.CheckpointOp < 190 || !slices.Contains(files, filepath.Join(dir, sb.CheckpointName)) {
			t.Fatalf("replica %d superblock %+v (%v), files %s", i, sb, err, files)
		}
		w, rep, err := wal.Open(wal.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		if rep.FirstOp <= 1 {
			t.Fatalf("replica %d log still starts at op %d", i, rep.FirstOp)
		}
	}
	if err := c.RestartAll(nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, func() bool {
		for _, nd := range c.Nodes {
			s, err := nd.FullStatus(ctx)
			if err != nil || s.Status != "normal" || s.Keys != 200 || s.CheckpointOp < 190 {
				return false
			}
		}
		return true
	})
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestCorruptCheckpointIsDetectedAndRepaired flips a byte in one replica's
// checkpoint file while its log no longer reaches back to op 1: the replica
// moves the file aside and fetches the state from its peers.
func TestCorruptCheckpointIsDetectedAndRepaired(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startCheckpointing(t, ctx, dirs, 200)
	c.Kill(2)
	sb, err := wal.ReadSuperblock(wal.OS, dirs[2])
	if err != nil || sb.CheckpointName == "" {
		t.Fatalf("superblock %+v: %v", sb, err)
	}
	// The file a restart loads first: the superblock names the newest
	// link of the chain, but a base of the same op written in the
	// background since is taken instead (storage/chain.go).
	files := []string{filepath.Join(dirs[2], sb.CheckpointName)}
	if base := filepath.Join(dirs[2], storage.CheckpointFile(sb.CheckpointOp)); fileExists(base) {
		files[0] = base
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(files[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(2, nil); err != nil {
		t.Fatal(err)
	}
	moved, _ := filepath.Glob(filepath.Join(dirs[2], "corrupt-*", filepath.Base(files[0])))
	if len(moved) != 1 {
		t.Fatalf("corrupt checkpoint not moved aside: %v", moved)
	}
	waitFor(t, ctx, func() bool {
		s, err := c.Nodes[2].FullStatus(ctx)
		return err == nil && s.Status == "normal" && s.Keys == 200 && s.Executed >= s.LogBase
	})
}
