package node_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/node"
	"github.com/vr-go/vr/wal"
)

// The write-ahead log's record frame (see package wal): a little-endian
// length u32 counting every byte after it, a crc32c u32, a type byte. A
// segment's header is framed the same way, so walking frames skips it.
const (
	recLenSize  = 4
	recHeadSize = 8
	recEnd      = 4 // the type of a group's end record
	recSync     = 7 // the type of the record that ends a sync round
)

// segments returns the log segment files of a data directory, oldest first.
func segments(t *testing.T, dir string) []string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "log", "*.seg"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no log segments in %s (%v)", dir, err)
	}
	slices.Sort(segs)
	return segs
}

// recordOffsets returns where each frame of a segment starts, the header's
// included, stopping at the first that does not fit.
func recordOffsets(b []byte) []int {
	var offs []int
	for off := 0; off+recHeadSize < len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		if n < recHeadSize || off+recLenSize+n > len(b) {
			break
		}
		offs = append(offs, off)
		off += recLenSize + n
	}
	return offs
}

// lastGroup returns the bytes [start, end) of the last group of a segment:
// from the first record after the end record (and sync record) before it,
// or after the header, to the end of its own end record.
func lastGroup(t *testing.T, b []byte) (int, int) {
	t.Helper()
	offs := recordOffsets(b)
	var ends []int // indexes of end records
	for k := 1; k < len(offs); k++ {
		if b[offs[k]+recHeadSize] == recEnd {
			ends = append(ends, k)
		}
	}
	if len(ends) == 0 {
		t.Fatalf("segment holds no complete group (%d frames)", len(offs))
	}
	last := ends[len(ends)-1]
	first := 1 // the first record after the header
	if len(ends) > 1 {
		first = ends[len(ends)-2] + 1
	}
	for first < last && b[offs[first]+recHeadSize] == recSync {
		first++
	}
	end := len(b)
	if last+1 < len(offs) {
		end = offs[last+1]
	}
	return offs[first], end
}

// startDurable starts a durable 3-replica cluster with small segments and
// writes n keys.
func startDurable(t *testing.T, ctx context.Context, dirs []string, n int) *testcluster.Cluster {
	t.Helper()
	return startCluster(t, ctx, &testcluster.Cluster{DataDirs: dirs, SegmentSize: 2048}, n)
}

// startCluster starts c (3 replicas) and writes n keys.
func startCluster(t *testing.T, ctx context.Context, c *testcluster.Cluster, n int) *testcluster.Cluster {
	t.Helper()
	if err := c.StartNew(3, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	putKeys(t, ctx, c, "k", n)
	return c
}

// putKeys writes keys prefix0..prefix(n-1).
func putKeys(t *testing.T, ctx context.Context, c *testcluster.Cluster, prefix string, n int) {
	t.Helper()
	cl := dial(t, ctx, c)
	for k := range n {
		if _, err := cl.Put(ctx, []byte(fmt.Sprintf("%s%d", prefix, k)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
}

// expectRepaired checks that replica i moved its log aside (into its
// want-th corrupt-* directory), started recovering rather than from its
// disk, and came back normal with keys keys.
func expectRepaired(t *testing.T, ctx context.Context, c *testcluster.Cluster, dir string, i, want, keys int) {
	t.Helper()
	if s := c.Nodes[i].Status(); s.Status != "recovering" {
		t.Errorf("replica %d started %q from a damaged log, want recovering", i, s.Status)
	}
	moved, _ := filepath.Glob(filepath.Join(dir, "corrupt-*", "log"))
	if len(moved) != want {
		t.Fatalf("replica %d: %d logs moved aside, want %d: %v", i, len(moved), want, moved)
	}
	waitFor(t, ctx, func() bool {
		s, err := c.Nodes[i].FullStatus(ctx)
		return err == nil && s.Status == "normal" && s.Keys == keys
	})
}

// TestSyncedLastGroupDamageIsRepaired flips a byte in the last group of a
// stopped replica's log, at its start, middle and end in turn. That group
// was synced before the replica sent anything that depended on it, so the
// replica must not cut it off and resume as if paused (it would have
// forgotten what it promised): it moves its log aside and repairs itself
// from its peers.
func TestSyncedLastGroupDamageIsRepaired(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startDurable(t, ctx, dirs, 30)
	keys := 30
	for round, where := range []string{"start", "middle", "end"} {
		c.Kill(2)
		segs := segments(t, dirs[2])
		seg := segs[len(segs)-1]
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		start, end := lastGroup(t, b)
		at := map[string]int{"start": start, "middle": (start + end) / 2, "end": end - 1}[where]
		b[at] ^= 0x10
		if err := os.WriteFile(seg, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("flipped a bit at offset %d of %s (last group: bytes %d..%d)", at, filepath.Base(seg), start, end)
		if err := c.Restart(2, nil); err != nil {
			t.Fatal(err)
		}
		expectRepaired(t, ctx, c, dirs[2], 2, round+1, keys)
		putKeys(t, ctx, c, where, 10)
		keys += 10
	}
}

// TestWholeClusterTornTailsResume stops every replica and leaves each with
// a torn write at the end of its log (part of a record after the last
// synced group, as a crash in the middle of a write can): every replica
// must cut it and resume from its disk, without the recovery protocol and
// without an operator, and keep every acknowledged write.
func TestWholeClusterTornTailsResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startDurable(t, ctx, dirs, 30)
	c.Stop()
	for i, dir := range dirs {
		segs := segments(t, dir)
		f, err := os.OpenFile(segs[len(segs)-1], os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		torn := make([]byte, 40+i*100) // a frame claiming 300 bytes, cut short
		binary.LittleEndian.PutUint32(torn, 300)
		torn[recHeadSize] = 1
		if _, err := f.Write(torn); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if err := c.RestartAll(nil); err != nil {
		t.Fatal(err)
	}
	for i := range dirs {
		if s := c.Nodes[i].Status(); s.Status == "recovering" {
			t.Errorf("replica %d did not resume from its disk after a torn write", i)
		}
		if moved, _ := filepath.Glob(filepath.Join(dirs[i], "corrupt-*")); len(moved) != 0 {
			t.Errorf("replica %d took a torn write for corruption: %v", i, moved)
		}
	}
	waitFor(t, ctx, func() bool {
		for _, nd := range c.Nodes {
			if s, err := nd.FullStatus(ctx); err != nil || s.Status != "normal" || s.Keys != 30 {
				return false
			}
		}
		return true
	})
}

// TestMissingSegmentIsRepairedFromPeers deletes the first, a middle or the
// last segment of a stopped replica's log: the replica must not resume
// with a log that silently lacks them, nor fail to start again and again;
// it moves its log aside and repairs itself from its peers, as for a
// corrupt record.
func TestMissingSegmentIsRepairedFromPeers(t *testing.T) {
	for _, tc := range []struct {
		name       string
		checkpoint bool // checkpoint every 10 ops, so the log was truncated
		pick       func(segs []string) string
	}{
		{"first", false, func(s []string) string { return s[0] }},
		{"middle", false, func(s []string) string { return s[len(s)/2] }},
		{"last", false, func(s []string) string { return s[len(s)-1] }},
		{"first after truncation", true, func(s []string) string { return s[0] }},
		{"last after truncation", true, func(s []string) string { return s[len(s)-1] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			dirs := dataDirs(t, 3)
			c := &testcluster.Cluster{DataDirs: dirs, SegmentSize: 2048}
			if tc.checkpoint {
				// Tiny segments, so that several outlive the truncation.
				c.CheckpointInterval, c.SegmentSize = 10, 512
			}
			keys := 60
			startCluster(t, ctx, c, keys)
			c.Kill(2)
			segs := segments(t, dirs[2])
			if len(segs) < 3 {
				t.Fatalf("replica 2 has %d segments; the test needs 3", len(segs))
			}
			if tc.checkpoint && strings.HasSuffix(segs[0], segName(1)) {
				t.Fatalf("replica 2's log was not truncated: %v", segs)
			}
			gone := tc.pick(segs)
			if err := os.Remove(gone); err != nil {
				t.Fatal(err)
			}
			t.Logf("removed %s of %d segments", filepath.Base(gone), len(segs))
			if err := c.Restart(2, nil); err != nil {
				t.Fatal(err)
			}
			expectRepaired(t, ctx, c, dirs[2], 2, 1, keys)
		})
	}
}

// TestDataDirInUseIsRefused starts a replica on the data directory of a
// running one, under the running one's index and under another: both are
// refused, naming the directory.
func TestDataDirInUseIsRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startDurable(t, ctx, dirs, 5)
	for _, index := range []int{0, 2} {
		_, err := node.New(node.Config{Index: index, Peers: c.Addrs, DataDir: dirs[0]})
		var le *wal.LockedError
		if !errors.Is(err, wal.ErrLocked) || !errors.As(err, &le) || !strings.Contains(err.Error(), dirs[0]) {
			t.Fatalf("index %d on the directory of running replica 0: %v, want a *wal.LockedError", index, err)
		}
	}
	putKeys(t, ctx, c, "after", 5)
}

// TestDataDirOfAnotherReplicaIsRefused starts a replica on the data
// directory of a stopped one, with another index or cluster id: refused,
// naming the directory, the recorded owner and the given one. The rightful
// owner then resumes from it.
func TestDataDirOfAnotherReplicaIsRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startDurable(t, ctx, dirs, 5)
	c.Kill(0)
	for _, tc := range []struct {
		index   int
		cluster uint64
	}{{2, 0}, {0, 9}} {
		_, err := node.New(node.Config{Index: tc.index, ClusterID: tc.cluster, Peers: c.Addrs, DataDir: dirs[0]})
		var oe *wal.OwnerError
		if !errors.Is(err, wal.ErrWrongOwner) || !errors.As(err, &oe) {
			t.Fatalf("index %d cluster %d: %v, want a *wal.OwnerError", tc.index, tc.cluster, err)
		}
		given := wal.Owner{ClusterID: tc.cluster, Replica: uint64(tc.index)}
		if oe.Recorded != (wal.Owner{}) || oe.Given != given {
			t.Fatalf("recorded %v given %v", oe.Recorded, oe.Given)
		}
		for _, s := range []string{dirs[0], "cluster 0 replica 0", given.String()} {
			if !strings.Contains(err.Error(), s) {
				t.Fatalf("error %q does not say %q", err, s)
			}
		}
	}
	if err := c.Restart(0, nil); err != nil {
		t.Fatal(err)
	}
	if s := c.Nodes[0].Status(); s.Status == "recovering" {
		t.Fatal("replica 0 did not resume from its disk after the refusals")
	}
	putKeys(t, ctx, c, "after", 5)
}

// TestOlderDataDirIsAdopted restarts a replica whose superblock records no
// owner, as older versions wrote it: it resumes from its disk and the
// superblock then records it.
func TestOlderDataDirIsAdopted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startDurable(t, ctx, dirs, 5)
	c.Kill(1)
	sb, err := wal.ReadSuperblock(wal.OS, dirs[1])
	if err != nil || !sb.Owned || sb.Owner != (wal.Owner{Replica: 1}) {
		t.Fatalf("superblock %+v, %v", sb, err)
	}
	sb.Owner, sb.Owned = wal.Owner{}, false
	for range 2 { // both slots
		if err := wal.WriteSuperblock(wal.OS, dirs[1], sb); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Restart(1, nil); err != nil {
		t.Fatal(err)
	}
	if s := c.Nodes[1].Status(); s.Status == "recovering" {
		t.Fatal("replica 1 did not resume from its adopted directory")
	}
	if sb, err := wal.ReadSuperblock(wal.OS, dirs[1]); err != nil || !sb.Owned || sb.Owner != (wal.Owner{Replica: 1}) {
		t.Fatalf("after adoption: superblock %+v, %v", sb, err)
	}
	putKeys(t, ctx, c, "after", 5)
}

// TestInconsistentDurableStateIsRepaired gives a replica a log whose
// commit-number lies beyond its end, a state the log itself cannot call
// damaged but the core refuses: the replica must repair it from its peers
// rather than fail to start again and again.
func TestInconsistentDurableStateIsRepaired(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dirs := dataDirs(t, 3)
	c := startDurable(t, ctx, dirs, 20)
	c.Kill(2)
	w, rep, err := wal.Open(wal.Options{Dir: dirs[2]})
	if err != nil {
		t.Fatal(err)
	}
	hs := rep.Hard
	hs.Commit = rep.LastOp + 50
	if err := w.WriteSync(wal.Batch{Hard: &hs}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := c.Restart(2, nil); err != nil {
		t.Fatalf("restart: %v", err)
	}
	expectRepaired(t, ctx, c, dirs[2], 2, 1, 20)
}

// segName is the file name of log segment seq.
func segName(seq int) string { return fmt.Sprintf("%020d.seg", seq) }
