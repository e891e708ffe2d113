package node

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/vr-go/vr/wal"
)

// mountedTmpfs returns a tmpfs mount point from /proc/mounts, "" if none.
func mountedTmpfs() string {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[2] == "tmpfs" && fields[1] == "/dev/shm" {
			return fields[1]
		}
	}
	return ""
}

// TestNoPreparedSegmentsOnTmpfs: a data directory on tmpfs (as /proc/mounts
// lists /dev/shm) gets no prepared segments, and the wal.Tmpfs file system
// (no syncs, raw writes); one on the test's temporary directory, if that
// is not tmpfs, gets prepared segments unless turned off, and wal.OS.
func TestNoPreparedSegmentsOnTmpfs(t *testing.T) {
	shm := mountedTmpfs()
	if shm == "" {
		t.Skip("no tmpfs at /dev/shm")
	}
	dir, err := os.MkdirTemp(shm, "vr-tmpfs-test-")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if preallocate(&Config{DataDir: dir}) {
		t.Fatalf("a data directory on tmpfs (%s) prepares segments", dir)
	}
	if dataFS(dir) != wal.Tmpfs {
		t.Fatalf("a data directory on tmpfs (%s) is on %T", dir, dataFS(dir))
	}
	disk := t.TempDir()
	if onTmpfs(disk) {
		t.Skipf("the temporary directory %s is on tmpfs too", disk)
	}
	if !preallocate(&Config{DataDir: disk}) || preallocate(&Config{DataDir: disk, NoPreallocate: true}) {
		t.Fatalf("a data directory on disk: prepared segments %v, %v with NoPreallocate", preallocate(&Config{DataDir: disk}), preallocate(&Config{DataDir: disk, NoPreallocate: true}))
	}
	if dataFS(disk) != wal.OS {
		t.Fatalf("a data directory on disk (%s) is on %T", disk, dataFS(disk))
	}
}

// TestRawLogIOInSyncMode: in sync mode the loop writes and syncs the log
// itself, with raw system calls (wal.Options.RawIO); in async mode a
// background goroutine syncs it, which must not keep the process's P
// while it waits, so the calls stay Go's hooked ones.
func TestRawLogIOInSyncMode(t *testing.T) {
	for mode, want := range map[SyncMode]bool{SyncAlways: true, SyncAsync: false} {
		cfg := &Config{DataDir: t.TempDir(), Sync: mode}
		if got := storageConfig(cfg, newWALMetrics(), newDiscarder()).RawIO; got != want {
			t.Errorf("sync mode %v: RawIO %v, want %v", mode, got, want)
		}
	}
}
