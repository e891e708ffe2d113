package storage

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/wal"
)

// removeCounter is the OS file system, counting the checkpoint files
// removed through it.
type removeCounter struct {
	wal.FS
	removed int
}

func (r *removeCounter) Remove(name string) error {
	if strings.HasPrefix(filepath.Base(name), checkpointPrefix) {
		r.removed++
	}
	return r.FS.Remove(name)
}

// TestStaleCheckpointsGoToDiscard: with Config.Discard set, CheckpointWritten
// removes no checkpoint file itself (on the loop: unlinking a GiB-sized
// base stalled it for up to a second) but hands every stale one to
// Discard, and only stale ones. The planted old behaviour removes them
// inline and fails.
func TestStaleCheckpointsGoToDiscard(t *testing.T) {
	for _, planted := range []bool{false, true} {
		failed := discardRun(t, planted)
		if failed != planted {
			t.Fatalf("planted=%v: the check failed=%v", planted, failed)
		}
	}
}

// discardRun writes checkpoints with a Discard hook and reports whether
// CheckpointWritten removed a file itself.
func discardRun(t *testing.T, planted bool) bool {
	dir := t.TempDir()
	fsys := &removeCounter{FS: wal.OS}
	var discarded []string
	cfg := Config{Dir: dir, FS: fsys, Discard: func(p []string) { discarded = append(discarded, p...) }}
	cfg.Plant(plant.Storage{RemoveCheckpointsInline: planted})
	s := &Storage{cfg: cfg.withDefaults()}
	rng := rand.New(rand.NewPCG(3, 3))
	st := kv.New(kv.Limits{})
	var prev uint64
	for op := uint64(1); op <= 12; op++ {
		fill(rng, st, 300, 2000)
		ck := core.TakeCheckpoint(op, prev, st.Snapshot())
		prev = op
		w, err := s.WriteCheckpoint(ck, core.HardState{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if w.Rebase {
			if _, err := s.WriteBase(ck, nil); err != nil {
				t.Fatal(err)
			}
		}
		var keep []string
		for _, l := range w.Links {
			keep = append(keep, l.Name)
		}
		s.CheckpointWritten(op, keep...)
		for _, p := range discarded {
			if slices.Contains(keep, filepath.Base(p)) {
				t.Fatalf("op %d: %s handed to Discard but still in the chain", op, p)
			}
		}
	}
	if !planted && len(discarded) == 0 {
		t.Fatal("no stale checkpoint file was handed to Discard: the test exercised nothing")
	}
	return fsys.removed > 0
}

// TestPacedBaseWrite: a base written with a rate takes at least its size
// over the rate, and holds the same bytes as an unpaced one.
func TestPacedBaseWrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	st := kv.New(kv.Limits{})
	fill(rng, st, 4000, 4000)
	ck := core.TakeCheckpoint(1, 0, st.Snapshot())
	fast, slow := t.TempDir(), t.TempDir()
	l, err := WriteBase(wal.OS, fast, &Chain{}, ck, true, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	rate := int64(l.Size) * 4 // a quarter of a second
	start := time.Now()
	if _, err := WriteBase(wal.OS, slow, &Chain{}, ck, true, rate, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Fatalf("%d bytes at %d bytes/s took %v: not paced", l.Size, rate, took)
	}
	a, _ := os.ReadFile(filepath.Join(fast, l.Name))
	b, _ := os.ReadFile(filepath.Join(slow, l.Name))
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Fatal("the paced base differs from the unpaced one")
	}
}

// TestAbortPacedBase: AbortBases stops a paced base write at once (a node
// stopping must not wait for a base paced over many seconds), with
// ErrBaseAborted, no base file left and the chain as it was.
func TestAbortPacedBase(t *testing.T) {
	dir := t.TempDir()
	s := &Storage{cfg: Config{Dir: dir, BaseRate: 256 << 10}.withDefaults()}
	rng := rand.New(rand.NewPCG(5, 5))
	st := kv.New(kv.Limits{})
	fill(rng, st, 30000, 30000) // about 1.5 MB: some 6 s at the rate
	ck := core.TakeCheckpoint(1, 0, st.Snapshot())
	errc := make(chan error, 1)
	start := time.Now()
	go func() { _, err := s.WriteBase(ck, nil); errc <- err }()
	time.Sleep(100 * time.Millisecond) // let it start: abort works before too
	s.AbortBases()
	err := <-errc
	if !errors.Is(err, ErrBaseAborted) {
		t.Fatalf("paced base after AbortBases: %v, want ErrBaseAborted", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the aborted base took %v", took)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, checkpointPrefix+"*")); len(names) != 0 || len(s.Chain()) != 0 {
		t.Fatalf("after an aborted base: files %v, chain %v", names, s.Chain())
	}
}
