package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/wal"
)

// slowSyncFS is wal.Tmpfs with every Sync taking at least delay: a disk
// slower than the guide.
type slowSyncFS struct {
	wal.FS
	delay time.Duration
}

func (s slowSyncFS) OpenFile(name string, flag int, perm fs.FileMode) (wal.File, error) {
	f, err := s.FS.OpenFile(name, flag, perm)
	return slowSyncFile{f, s.delay}, err
}

type slowSyncFile struct {
	wal.File
	delay time.Duration
}

func (f slowSyncFile) Sync() error {
	time.Sleep(f.delay) // the simulated disk's latency, not a wait for a condition
	return f.File.Sync()
}

func TestDiskCheckReportsASlowDisk(t *testing.T) {
	dir := t.TempDir()
	cfg := diskCheckConfig{dir: dir, writers: 2, size: 100, bulkBytesPerSec: 4 << 20, duration: 2500 * time.Millisecond,
		fs: slowSyncFS{wal.Tmpfs, 12 * time.Millisecond}}
	r, err := checkDisk(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Syncs == 0 || r.P99 < 12*time.Millisecond || r.P50 > r.P99 || r.P99 > r.Max {
		t.Fatalf("syncs %d, p50 %v, p99 %v, max %v: want syncs of at least 12ms", r.Syncs, r.P50, r.P99, r.Max)
	}
	if r.Seconds < 1 || r.SecondsOver10ms != r.Seconds {
		t.Errorf("%d of %d seconds over 10ms; want every one", r.SecondsOver10ms, r.Seconds)
	}
	if !strings.HasPrefix(r.Verdict, "slow") {
		t.Errorf("verdict %q for a 12 ms disk", r.Verdict)
	}
	if r.BulkBytes < 2<<20 {
		t.Errorf("bulk writer wrote %d bytes", r.BulkBytes)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	var out bytes.Buffer
	if err := r.print(&out, false); err != nil || !strings.Contains(out.String(), "verdict     slow") {
		t.Errorf("printed %q, %v", out.String(), err)
	}
}

func TestDiskCheckVerdicts(t *testing.T) {
	for _, c := range []struct {
		r    diskReport
		want string
	}{
		{diskReport{}, "no sync"},
		{diskReport{Syncs: 10, P99: 11 * time.Millisecond}, "slow"},
		{diskReport{Syncs: 10, P99: 2 * time.Millisecond, Seconds: 5, SecondsOver10ms: 1}, "ok overall"},
		{diskReport{Syncs: 10, P99: 2 * time.Millisecond, Seconds: 5}, "ok: "},
	} {
		if got := verdict(c.r); !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: %q, want %q...", c.r, got, c.want)
		}
	}
}

func TestDiskCheckRefusesBadSettings(t *testing.T) {
	good := diskCheckFlags{dir: t.TempDir(), writers: 3, size: 1200, duration: time.Second}
	if _, err := good.config(); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(*diskCheckFlags){
		func(f *diskCheckFlags) { f.writers = 0 },
		func(f *diskCheckFlags) { f.size = 0 },
		func(f *diskCheckFlags) { f.bulk = -1 },
		func(f *diskCheckFlags) { f.duration = time.Millisecond },
		func(f *diskCheckFlags) { f.dir = good.dir + "/missing" },
	} {
		f := good
		change(&f)
		if _, err := f.config(); !errors.Is(err, errBadDiskCheck) {
			t.Errorf("%+v: %v, want errBadDiskCheck", f, err)
		}
	}
}

// brokenFS fails every OpenFile: a disk that refuses writes.
type brokenFS struct{ wal.FS }

var errBrokenDisk = errors.New("broken disk")

func (brokenFS) OpenFile(string, int, fs.FileMode) (wal.File, error) { return nil, errBrokenDisk }

func TestDiskCheckStopsAtAWriteError(t *testing.T) {
	start := time.Now()
	_, err := checkDisk(context.Background(), diskCheckConfig{dir: t.TempDir(), writers: 2, size: 100,
		bulkBytesPerSec: 1 << 20, duration: time.Minute, fs: brokenFS{wal.Tmpfs}})
	if !errors.Is(err, errBrokenDisk) {
		t.Fatalf("err = %v, want the disk's error", err)
	}
	if took := time.Since(start); took > 45*time.Second {
		t.Errorf("returned after %v: the error waited for the minute's end", took)
	}
}
