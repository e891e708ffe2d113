package engine

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/bench/storage/internal/workload"
)

// snapshotter is what both engines offer besides Engine.
type snapshotter interface{ Bytes() []byte }

// TestCheckpointRestoreBothEngines loads both engines with the same
// commands, checkpoints and restores them, and requires the same state
// from all four, with honest checkpoint statistics.
func TestCheckpointRestoreBothEngines(t *testing.T) {
	const n = 3000
	dir := t.TempDir()
	var snaps [][]byte
	for _, name := range engines {
		e := newEngine(t, name, filepath.Join(dir, name+"-db"))
		Load(e, n, 9)
		Run(e, workload.New(4, n).Ops(workload.GetPut, 2000))
		ckpt := filepath.Join(dir, name+"-ckpt")
		st, err := e.Checkpoint(ckpt)
		if err != nil {
			t.Fatal(err)
		}
		if st.Written <= 0 || st.DirBytes < n*(workload.KeySize+workload.ValueSize) {
			t.Errorf("%s: implausible checkpoint stats %+v", name, st)
		}
		snaps = append(snaps, e.(snapshotter).Bytes())
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		r := restore(t, name, ckpt)
		snaps = append(snaps, r.(snapshotter).Bytes())
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range snaps[1:] {
		if !bytes.Equal(s, snaps[0]) {
			t.Fatalf("state %d differs from kv's before its checkpoint", i+1)
		}
	}
}
