package pebblekv

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/kv"
)

// fill puts n keys into s.
func fill(s *Store, n int, tag string) {
	for i := range n {
		s.Apply(uint64(i+1), kv.NewPut(fmt.Appendf(nil, "k%04d", i), fmt.Appendf(nil, "%s-%d", tag, i)).Encode())
	}
}

// snapshotOf writes s's current state in the snapshot format.
func snapshotOf(t *testing.T, s *Store) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.Snapshot().WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRestoreBadSnapshotChangesNothing restores snapshots truncated at
// many lengths, with one byte flipped, and with bytes after the checksum:
// each must fail with kv.ErrBadSnapshot and leave the state as it was.
func TestRestoreBadSnapshotChangesNothing(t *testing.T) {
	src := openTest(t, kv.Limits{})
	fill(src, 300, "new")
	good := snapshotOf(t, src)
	s := openTest(t, kv.Limits{})
	fill(s, 100, "old")
	before := snapshotOf(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	var bad [][]byte
	for range 40 {
		bad = append(bad, good[:rng.IntN(len(good))])
		flipped := bytes.Clone(good)
		flipped[rng.IntN(len(flipped))] ^= 1 << rng.IntN(8)
		bad = append(bad, flipped)
	}
	bad = append(bad, append(bytes.Clone(good), 0))
	for i, b := range bad {
		if err := s.Restore(bytes.NewReader(b)); !errors.Is(err, kv.ErrBadSnapshot) {
			t.Fatalf("bad snapshot %d (%d bytes): %v, want ErrBadSnapshot", i, len(b), err)
		}
		if !bytes.Equal(snapshotOf(t, s), before) {
			t.Fatalf("bad snapshot %d changed the state", i)
		}
	}
	if err := s.Restore(bytes.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	if s.Revision() != src.Revision() || !bytes.Equal(snapshotOf(t, s), good) {
		t.Fatalf("after the good restore: revision %d, want %d, or a different snapshot", s.Revision(), src.Revision())
	}
}

// TestSnapshotIsolatedFromLaterWrites overwrites and deletes every key
// after a Snapshot, then writes the snapshot, and writes it again while
// Apply goes on on another goroutine: both must give the state at the
// Snapshot call.
func TestSnapshotIsolatedFromLaterWrites(t *testing.T) {
	s := openTest(t, kv.Limits{})
	fill(s, 500, "a")
	want := snapshotOf(t, s)
	snap := s.Snapshot()
	churn := func(op uint64) {
		for i := range 500 {
			k := fmt.Appendf(nil, "k%04d", i)
			s.Apply(op+uint64(i), kv.NewPut(k, []byte("b")).Encode())
			if i%3 == 0 {
				s.Apply(op+uint64(i), kv.NewDelete(k).Encode())
			}
		}
	}
	churn(1000)
	var wg sync.WaitGroup
	wg.Go(func() { churn(2000) })
	for range 2 {
		var b bytes.Buffer
		if _, err := snap.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("snapshot written after later writes differs from the state at Snapshot")
		}
	}
	wg.Wait()
}

// TestCloseWithOpenSnapshot closes a store while a snapshot is open: no
// leak error, and the snapshot's WriteTo reports ErrClosed.
func TestCloseWithOpenSnapshot(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(s, 10, "a")
	snap := s.Snapshot()
	if err := s.Close(); err != nil {
		t.Fatalf("close with an open snapshot: %v", err)
	}
	if _, err := snap.WriteTo(&bytes.Buffer{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteTo after Close: %v, want ErrClosed", err)
	}
	if err := s.Restore(bytes.NewReader(nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Restore after Close: %v, want ErrClosed", err)
	}
}

// TestOpenStartsEmptyAndRefusesForeignDirs: a second Open of the same
// directory starts from an empty state; a non-empty directory that is not
// a working copy is refused and left alone.
func TestOpenStartsEmptyAndRefusesForeignDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(s, 10, "a")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	get := kv.NewGet([]byte("k0001")).Encode()
	if res, _ := again.Query(get); again.Revision() != 0 || !bytes.Equal(res, kv.New(kv.Limits{}).Apply(1, get)) ||
		!bytes.Equal(snapshotOf(t, again), snapshotOf(t, openTest(t, kv.Limits{}))) {
		t.Fatalf("reopened store: revision %d, want an empty one", again.Revision())
	}
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "precious"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(foreign, Options{}); err == nil {
		t.Fatal("Open emptied a directory it did not create")
	}
	if _, err := os.Stat(filepath.Join(foreign, "precious")); err != nil {
		t.Fatalf("the foreign file: %v", err)
	}
}

// TestDiskBytes: the working copy's size on disk grows once writes are
// flushed past a memtable, and reads 0 after Close.
func TestDiskBytes(t *testing.T) {
	s, err := Open(t.TempDir()+"/state", Options{Limits: kv.DefaultLimits(), MemTableSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	before := s.DiskBytes()
	r := rand.New(rand.NewPCG(1, 1))
	value := make([]byte, 1024) // random: Pebble compresses its blocks
	for i := range 4096 {
		for j := range value {
			value[j] = byte(r.Uint32())
		}
		s.Apply(uint64(i+1), kv.NewPut(fmt.Appendf(nil, "k%05d", i), value).Encode())
	}
	var after uint64
	for range 200 { // flushes run in the background: wait for one
		if after = s.DiskBytes(); after >= before+1<<20 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if after < before+1<<20 {
		t.Fatalf("DiskBytes went from %d to %d after 4 MiB of writes through 256 KiB memtables", before, after)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := s.DiskBytes(); got != 0 {
		t.Fatalf("DiskBytes after Close = %d, want 0", got)
	}
}
