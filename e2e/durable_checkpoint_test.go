//go:build linux

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/node"
	"github.com/vr-go/vr/wal"
)

// badCheckpointLogged is what a replica logs, at error level, when the
// checkpoint its superblock names fails its checks.
const badCheckpointLogged = "bad checkpoint: moved aside; the replica fetches the state from its peers"

// checkpointFlags sets the replicas' checkpoint interval to every ops, and
// small log segments so that the log is truncated below the checkpoints.
func checkpointFlags(every int) []string {
	return []string{"--checkpoint-interval", strconv.Itoa(every), "--segment-size", "4096"}
}

// peerInstallLogged is what a replica logs when it installs a checkpoint it
// fetched from a peer.
const peerInstallLogged = "state installed from a checkpoint fetched from a peer"

// checkpointWait bounds each wait of TestDurableCorruptCheckpointDetected:
// generous, because a loaded 2-core machine can stretch a checkpoint fetch,
// a restart or a convergence far beyond its usual fraction of a second.
var checkpointWait = 90 * time.Second * time.Duration(timeScale())

// TestDurableCorruptCheckpointDetected flips a byte in the middle of a
// stopped backup's checkpoint file while the others go on without it, and
// restarts it. The replica must report the bad checkpoint at error level,
// move the file into a corrupt-* directory, catch up with the cluster
// without losing an acknowledged write, and hold a checkpoint again, in
// memory and on its disk, that a later restart resumes from.
func TestDurableCorruptCheckpointDetected(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second*time.Duration(timeScale()))
	defer cancel()
	d := startDurableCluster(ctx, t, 3, checkpointFlags(50)...)
	kv := dialAcked(ctx, t, d.Addrs)
	kv.putKeys(ctx, t, "a", 200, "first")
	target := d.writeUntilTruncated(ctx, t, kv)
	d.waitCheckpointDurable(ctx, t, target)
	d.kill(target)
	name, corrupted := flipCheckpoint(t, d.DataDirs[target])
	kv.putKeys(ctx, t, "a", 30, "second")
	kv.putKeys(ctx, t, "b", 70, "while-down")
	mark := d.LogSize(target)
	d.start(target)
	d.expectBadCheckpointReported(ctx, t, target, mark, name, corrupted)
	// Its log starts above op 1 now, so only a peer's checkpoint helps.
	if _, err := d.waitLogLine(ctx, target, mark, checkpointWait, peerInstallLogged); err != nil {
		t.Fatalf("replica %d never installed a checkpoint from a peer: %v", target, err)
	}
	checkConvergedWithin(ctx, t, d.cluster, checkpointWait)
	d.expectCheckpointInstalled(ctx, t, target)
	d.waitCheckpointDurable(ctx, t, target)
	if l := findLine(d.LogSince(target, mark), "msg=recovered"); l != "" {
		t.Errorf("replica %d ran the recovery protocol for a bad checkpoint (its log was intact): %s", target, l)
	}
	kv.checkAll(ctx, t)

	// The checkpoint it holds now is good: a crash resumes from it.
	d.kill(target)
	mark = d.LogSize(target)
	d.start(target)
	checkConvergedWithin(ctx, t, d.cluster, checkpointWait)
	if l := findLine(d.LogSince(target, mark), badCheckpointLogged); l != "" {
		t.Errorf("after it replaced its bad checkpoint, replica %d found a bad one again: %s", target, l)
	}
	if dirs := corruptDirs(t, d.DataDirs[target]); len(dirs) != 1 {
		t.Errorf("after a clean restart replica %d has %d corrupt-* directories, want 1: %v", target, len(dirs), dirs)
	}
	kv.checkAll(ctx, t)
}

// Bounds of writeUntilTruncated: rounds of padRound puts each.
const (
	padRounds = 40
	padRound  = 25
)

// writeUntilTruncated waits until the cluster is quiet and returns a
// backup whose oldest log segment was removed, writing padRound more keys
// whenever none is removed yet, for at most padRounds rounds.
//
// Writes are needed, not just patience: a replica truncates its log only
// when it takes a checkpoint, and only at a segment boundary that is also a
// group boundary (wal.TruncatePrefix). Every group a replica writes holds
// its entries, its hard state and an end record, and on a loaded machine a
// backup writes several entries per group, so every boundary below the log
// base may fall inside a group. Then nothing is removed until a later
// checkpoint, which only more writes bring: waiting alone would never end.
func (d *durableCluster) writeUntilTruncated(ctx context.Context, t *testing.T, kv *ackedKV) int {
	t.Helper()
	for round := 0; ; round++ {
		target := d.quietBackupWithin(ctx, t, checkpointWait)
		if logTruncated(d.DataDirs[target]) {
			t.Logf("replica %d's log was truncated after %d extra writes", target, round*padRound)
			return target
		}
		if round == padRounds {
			t.Fatalf("replica %d's oldest log segment is still there after %d extra writes; segments: %v",
				target, round*padRound, segments(t, d.DataDirs[target]))
		}
		kv.putKeys(ctx, t, fmt.Sprintf("pad%d-", round), padRound, "pad")
	}
}

// quietBackupWithin is quietBackup with a wait of at most limit.
func (d *durableCluster) quietBackupWithin(ctx context.Context, t *testing.T, limit time.Duration) int {
	t.Helper()
	sts, err := d.waitConvergedWithin(ctx, limit)
	if err != nil {
		t.Fatal(err)
	}
	return (sts[0].Primary + 1) % len(d.Addrs)
}

// waitCheckpointDurable waits until replica i reports a checkpoint and its
// data directory holds exactly that one checkpoint file, named by its
// superblock: killing it then cannot interrupt a checkpoint being written.
func (d *durableCluster) waitCheckpointDurable(ctx context.Context, t *testing.T, i int) {
	t.Helper()
	var s *node.Status
	var files []string
	err := poll(ctx, checkpointWait, fmt.Sprintf("replica %d's checkpoint to be durable", i), func() bool {
		if s = fetch(ctx, d.StatusAddrs[i]); s == nil || s.CheckpointOp == 0 {
			return false
		}
		files = checkpointFiles(t, d.DataDirs[i], "vrc?")
		sb, err := wal.ReadSuperblock(wal.OS, d.DataDirs[i])
		// The superblock names the newest link of the checkpoint's chain
		// (a base or a delta); the files of the chain before it stay too,
		// to be served to peers.
		named := sb.CheckpointName == checkpointName(s.CheckpointOp) || sb.CheckpointName == deltaName(s.CheckpointOp)
		return err == nil && named && slices.Contains(files, sb.CheckpointName)
	})
	if err != nil {
		t.Fatalf("%v: last status %+v, checkpoint files %v", err, s, files)
	}
}

// checkpointName is the file name of the base checkpoint at op (node's
// format); deltaName that of a delta.
func checkpointName(op uint64) string { return fmt.Sprintf("checkpoint-%020d.vrck", op) }

func deltaName(op uint64) string { return fmt.Sprintf("checkpoint-%020d.vrcd", op) }

// checkpointFiles returns the names of the checkpoint files in a data
// directory with the extension ext (a glob: vrck, the bases; vrc?, all),
// sorted.
func checkpointFiles(t *testing.T, dataDir, ext string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dataDir, "checkpoint-*."+ext))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(paths))
	for k, p := range paths {
		names[k] = filepath.Base(p)
	}
	slices.Sort(names)
	return names
}

// flipCheckpoint flips the byte in the middle of the newest base
// checkpoint file: the base of the chain the superblock's newest link
// rests on (a restart's walk back stops at the newest base). It returns
// the file's name and its corrupted bytes.
func flipCheckpoint(t *testing.T, dataDir string) (string, []byte) {
	t.Helper()
	files := checkpointFiles(t, dataDir, "vrck")
	if len(files) < 1 || len(files) > 2 {
		t.Fatalf("%s holds %d base checkpoint files, want 1 or 2: %v", dataDir, len(files), files)
	}
	name := files[len(files)-1]
	op, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, "checkpoint-"), ".vrck"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := wal.ReadSuperblock(wal.OS, dataDir)
	if err != nil || sb.CheckpointOp < op {
		t.Fatalf("the superblock of %s names checkpoint %q (%v), older than the newest base %s", dataDir, sb.CheckpointName, err, name)
	}
	path := filepath.Join(dataDir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := len(b) / 2
	b[at] ^= 0x5a
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := core.CheckpointBytes(op, b).Verify(); err == nil {
		t.Fatalf("flipping byte %d of %s left a checkpoint that verifies", at, name)
	}
	t.Logf("flipped the byte at offset %d of %s (%d bytes, op %d; the superblock names %s)", at, name, len(b), op, sb.CheckpointName)
	return name, b
}

// expectBadCheckpointReported checks that replica i, started after mark,
// logged its bad checkpoint at error level, resumed from its disk rather
// than recovering, and moved the corrupt file, still holding the bytes
// corrupted, into exactly one corrupt-* directory, the one it logged.
func (d *durableCluster) expectBadCheckpointReported(ctx context.Context, t *testing.T, i int, mark int64, name string, corrupted []byte) {
	t.Helper()
	// A replica reads its checkpoint before it starts the protocol.
	started, err := d.waitLogLine(ctx, i, mark, checkpointWait, `msg="replica started"`)
	if err != nil {
		t.Fatal(err)
	}
	line := findLine(d.LogSince(i, mark), "level=ERROR", badCheckpointLogged)
	if line == "" {
		t.Fatalf("replica %d restarted over a corrupt checkpoint without reporting it at error level (%q); its log:\n%s",
			i, badCheckpointLogged, d.LogSince(i, mark))
	}
	t.Logf("replica %d: %s", i, line)
	if strings.Contains(started, "status=recovering") {
		t.Errorf("replica %d, whose log is intact, did not resume from its disk: %s", i, started)
	}
	dirs := corruptDirs(t, d.DataDirs[i])
	if len(dirs) != 1 {
		t.Fatalf("replica %d has %d corrupt-* directories, want 1: %v", i, len(dirs), dirs)
	}
	if !strings.Contains(line, "moved_to="+dirs[0]) {
		t.Errorf("replica %d moved its checkpoint to %s but logged another place: %s", i, dirs[0], line)
	}
	moved, err := os.ReadFile(filepath.Join(dirs[0], name))
	if err != nil {
		t.Fatalf("the corrupt checkpoint is not in %s: %v", dirs[0], err)
	}
	if !bytes.Equal(moved, corrupted) {
		t.Errorf("%s in %s is not the checkpoint file corrupted", name, dirs[0])
	}
}

// expectCheckpointInstalled waits until replica i holds a checkpoint and
// has executed up to its log base: it fetched a checkpoint from its peers
// or took one anew, and no longer lacks the state below its log.
func (d *durableCluster) expectCheckpointInstalled(ctx context.Context, t *testing.T, i int) {
	t.Helper()
	sts, err := d.waitFor(ctx, fmt.Sprintf("replica %d to hold a checkpoint", i), checkpointWait, func(sts []*node.Status) bool {
		s := sts[i]
		return s != nil && s.CheckpointOp > 0 && s.Executed >= s.LogBase
	})
	if err != nil {
		t.Fatal(err)
	}
	s := sts[i]
	t.Logf("replica %d: checkpoint at op %d, log base %d, executed %d, op %d", i, s.CheckpointOp, s.LogBase, s.Executed, s.OpNumber)
}

// logTruncated reports whether the oldest log segment of dataDir was
// removed: the log then starts above op 1, and only a checkpoint can stand
// for the ops before it.
func logTruncated(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, "log", fmt.Sprintf("%020d.seg", 1)))
	return errors.Is(err, fs.ErrNotExist)
}
