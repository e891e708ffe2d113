package storage

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/wal"
)

// syncCountingFS is the operating system's file system, counting the
// fsyncs of its files.
type syncCountingFS struct {
	wal.FS
	syncs *int
}

func (c syncCountingFS) OpenFile(name string, flag int, perm fs.FileMode) (wal.File, error) {
	f, err := c.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return syncCountingFile{f, c.syncs}, nil
}

type syncCountingFile struct {
	wal.File
	syncs *int
}

func (c syncCountingFile) Sync() error {
	*c.syncs++
	return c.File.Sync()
}

// A durable checkpoint file, paced or not, is written back a quarter MiB
// at a time as it is written, in order and without gaps, and fsynced once,
// at its end: fsynced whole at its end (a delta) or every 2 MiB (a paced
// base), it put megabytes in front of the log's fsyncs several times a
// second (nineteenth session).
func TestDurableCheckpointFileIsSyncedOnceAtItsEnd(t *testing.T) {
	for _, rate := range []int64{0, 1 << 40} {
		dir := t.TempDir()
		syncs := 0
		type span struct{ off, n int64 }
		var spans []span
		old := writeBackEvery
		writeBackEvery = func(f wal.File, off, n int64) error {
			spans = append(spans, span{off, n})
			return old(f, off, n)
		}
		data := bytes.Repeat([]byte("checkpoint bytes "), (9<<20)/17)
		n, err := writeFile(syncCountingFS{wal.OS, &syncs}, dir, "checkpoint-1.vrck", fileOpts{sync: true, rate: rate},
			func(w io.Writer) (int64, error) { m, err := w.Write(data); return int64(m), err }, nil)
		writeBackEvery = old
		if err != nil || n != uint64(len(data)) {
			t.Fatalf("rate %d: writeFile = %d, %v; want %d bytes", rate, n, err, len(data))
		}
		if syncs != 1 {
			t.Errorf("rate %d: %d fsyncs of the file, want 1 (at its end)", rate, syncs)
		}
		want := int64(0)
		for _, s := range spans {
			if s.off != want || s.n < writebackBytes {
				t.Errorf("rate %d: writeback of [%d, +%d), want a span of at least %d from %d", rate, s.off, s.n, writebackBytes, want)
			}
			want = s.off + s.n
		}
		if len(spans) != len(data)/writebackBytes {
			t.Errorf("rate %d: %d writebacks, want %d", rate, len(spans), len(data)/writebackBytes)
		}
		got, err := os.ReadFile(filepath.Join(dir, "checkpoint-1.vrck"))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("rate %d: file holds %d bytes (%v), not what was written", rate, len(got), err)
		}
	}
}
