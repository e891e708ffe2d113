package wal

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// fsyncWatch works out from the WAL's write and fsync hooks which groups
// are surely durable, without trusting the WAL's own bookkeeping: a group
// is durable once an fsync that started after the group reached the file
// has completed.
type fsyncWatch struct {
	w            *WAL
	mu           sync.Mutex
	written      uint64            // groups that reached the file
	startWritten map[uint64]uint64 // fsync id -> written when it started
	durable      atomic.Uint64     // groups surely durable
}

func watch(w *WAL) *fsyncWatch {
	fw := &fsyncWatch{w: w, startWritten: map[uint64]uint64{}}
	w.hooks.afterWrite = func(n uint64) {
		fw.mu.Lock()
		fw.written = n
		fw.mu.Unlock()
	}
	before := w.hooks.beforeFsync
	w.hooks.beforeFsync = func(id uint64) {
		fw.mu.Lock()
		fw.startWritten[id] = fw.written
		fw.mu.Unlock()
		if before != nil {
			before(id)
		}
	}
	w.hooks.afterFsync = func(id uint64) {
		fw.mu.Lock()
		defer fw.mu.Unlock()
		if n := fw.startWritten[id]; n > fw.durable.Load() {
			fw.durable.Store(n)
		}
	}
	return fw
}

// appender assigns op-numbers in order, as a primary does, and writes one
// entry with a hard state per group, so the n-th write is group n.
type appender struct {
	mu   sync.Mutex
	next uint64
}

// add writes one group and returns its number.
func (a *appender) add(t testing.TB, w *WAL) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	hs := core.HardState{View: 1, LastNormalView: 1, Commit: a.next - 1}
	if err := w.Write(Batch{From: a.next, Entries: []message.Entry{entry(a.next, 1, 64)}, Hard: &hs}); err != nil {
		t.Error(err)
	}
	return a.next
}

// TestGroupCommitBatches holds the first fsync until every other goroutine
// has written: one more fsync must then cover all of them, and none of
// them may return from Sync before that second fsync completed.
func TestGroupCommitBatches(t *testing.T) {
	const n = 16
	w, _ := mustOpen(t, t.TempDir(), 0)
	entered, release := make(chan struct{}), make(chan struct{})
	w.hooks.beforeFsync = func(id uint64) {
		if id == 1 {
			close(entered)
			<-release
		}
	}
	fw := watch(w)
	var a appender
	var appended, done sync.WaitGroup
	worker := func() {
		defer done.Done()
		seq := a.add(t, w)
		appended.Done()
		if err := w.Sync(); err != nil {
			t.Error(err)
		}
		if d := fw.durable.Load(); d < seq {
			t.Errorf("Sync returned for group %d; fsyncs made only %d durable", seq, d)
		}
	}
	appended.Add(n)
	done.Add(n)
	go worker()
	<-entered // the first fsync started; it covers one group
	for range n - 1 {
		go worker()
	}
	appended.Wait()
	close(release)
	done.Wait()
	if got := w.fsyncs.Load(); got != 2 {
		t.Fatalf("%d fsyncs for %d writes, want 2", got, n)
	}
}

// TestGroupCommitConcurrent runs many writers with no control of timing,
// across a few segment rolls.
func TestGroupCommitConcurrent(t *testing.T) {
	const goroutines, each = 32, 40
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 64<<10)
	fw := watch(w)
	var a appender
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				seq := a.add(t, w)
				if err := w.Sync(); err != nil {
					t.Error(err)
				}
				if d := fw.durable.Load(); d < seq {
					t.Errorf("Sync returned for group %d; fsyncs made only %d durable", seq, d)
				}
			}
		})
	}
	wg.Wait()
	writes := uint64(goroutines * each)
	fsyncs := w.fsyncs.Load()
	t.Logf("%d fsyncs for %d writes", fsyncs, writes)
	if fsyncs >= writes {
		t.Fatalf("%d fsyncs for %d writes", fsyncs, writes)
	}
	w.Close()
	_, rep := mustOpen(t, dir, 64<<10)
	sameEntries(t, rep.Entries, entries(1, writes, 1, 64))
	sameHard(t, rep, &core.HardState{View: 1, LastNormalView: 1, Commit: writes - 1})
}

func TestCloseWaitsForSync(t *testing.T) {
	dir := t.TempDir()
	w, _ := mustOpen(t, dir, 0)
	entered, release := make(chan struct{}), make(chan struct{})
	w.hooks.beforeFsync = func(id uint64) {
		if id == 1 {
			close(entered)
			<-release
		}
	}
	if err := w.Write(put(entries(1, 1, 1, 8), nil)); err != nil {
		t.Fatal(err)
	}
	syncErr := make(chan error)
	go func() { syncErr <- w.Sync() }()
	<-entered
	if err := w.Write(put(entries(2, 2, 1, 8), nil)); err != nil {
		t.Fatal(err)
	}
	closeErr := make(chan error)
	go func() { closeErr <- w.Close() }()
	close(release)
	if err := <-syncErr; err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if err := <-closeErr; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := w.fsyncs.Load(); got != 2 {
		t.Fatalf("%d fsyncs, want 2 (Close must sync op 2)", got)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	_, rep := mustOpen(t, dir, 0)
	sameEntries(t, rep.Entries, entries(1, 2, 1, 8))
}
