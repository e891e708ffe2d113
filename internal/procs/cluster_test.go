//go:build linux

package procs

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestArgs(t *testing.T) {
	c := &Cluster{Addrs: []string{"a:1", "b:2"}, StatusAddrs: []string{"a:3", "b:4"},
		DataDirs: []string{"/d0", "/d1"}, Flags: []string{"--x", "y"}}
	got := strings.Join(c.Args(1, true), " ")
	want := "server --index 1 --cluster a:1,b:2 --new-cluster --status-addr b:4 --status-addrs a:3,b:4 --data-dir /d1 --x y"
	if got != want {
		t.Errorf("Args(1, true) = %q, want %q", got, want)
	}
	c.StatusAddrs, c.DataDirs, c.Flags = nil, nil, nil
	if got := strings.Join(c.Args(0, false), " "); got != "server --index 0 --cluster a:1,b:2" {
		t.Errorf("Args(0, false) = %q", got)
	}
	c.PeerAddrs = [][]string{{"a:1", "p:10"}, {"p:20", "b:2"}}
	if got := strings.Join(c.Args(1, true), " "); got != "server --index 1 --cluster p:20,b:2 --listen b:2 --new-cluster" {
		t.Errorf("Args(1, true) with PeerAddrs = %q", got)
	}
}

func TestStartAndStop(t *testing.T) {
	t.Setenv("VR_SECRET", "leaked")
	c := fakeCluster(t, 3, "run")
	startAll(t, c)
	for i := range c.Addrs {
		if !c.Running(i) || c.Exited(i) || c.Pid(i) == 0 {
			t.Fatalf("replica %d: running %v, exited %v, pid %d", i, c.Running(i), c.Exited(i), c.Pid(i))
		}
		waitLog(t, c, i, "args: "+strings.Join(c.Args(i, true), " "))
		waitLog(t, c, i, `VR_SECRET=""`)
		waitLog(t, c, i, "=== start (new-cluster=true)")
		waitLog(t, c, i, "ready")
	}
	if err := c.Start(0, false); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Start of a running replica: %v", err)
	}
	if n := c.Stop(5 * time.Second); n != 3 {
		t.Errorf("Stop stopped %d replicas, want 3", n)
	}
	for i := range c.Addrs {
		if c.Running(i) || !c.Exited(i) || !c.State(i).Exited() {
			t.Errorf("replica %d still running after Stop (state %v)", i, c.State(i))
		}
		waitLog(t, c, i, "interrupted")
	}
	if i := c.Crashed(); i >= 0 {
		t.Errorf("Crashed() = %d after Stop", i)
	}
}

func TestKillAndRestart(t *testing.T) {
	c := fakeCluster(t, 2, "run")
	startAll(t, c)
	pid := c.Pid(1)
	if err := c.Kill(c.All()...); err != nil {
		t.Fatal(err)
	}
	if !c.Exited(0) || !c.Exited(1) || c.Crashed() >= 0 {
		t.Fatalf("after Kill: exited %v %v, crashed %d", c.Exited(0), c.Exited(1), c.Crashed())
	}
	if ws := c.State(1).Sys().(syscall.WaitStatus); ws.Signal() != syscall.SIGKILL {
		t.Errorf("replica 1 ended with %v, want SIGKILL", c.State(1))
	}
	mark := c.LogSize(1)
	if err := c.Start(1, false); err != nil {
		t.Fatal(err)
	}
	if !c.Running(1) || c.Pid(1) == pid {
		t.Fatalf("restarted replica 1: running %v, pid %d (was %d)", c.Running(1), c.Pid(1), pid)
	}
	waitLog(t, c, 1, "=== start (new-cluster=false)")
	if again := c.LogSince(1, mark); !bytes.HasPrefix(again, []byte("=== start (new-cluster=false)")) {
		t.Errorf("log after the mark: %q", again)
	}
}

func TestCrashed(t *testing.T) {
	c := fakeCluster(t, 2, "exit")
	if c.Crashed() >= 0 || c.Running(0) || c.Exited(0) || c.Pid(0) != 0 || c.State(0) != nil {
		t.Fatal("a replica never started looks started")
	}
	if err := c.Start(1, true); err != nil {
		t.Fatal(err)
	}
	for c.Running(1) {
		time.Sleep(5 * time.Millisecond)
	}
	if i := c.Crashed(); i != 1 || c.State(1).ExitCode() != 3 {
		t.Fatalf("Crashed() = %d, state %v; want replica 1, exit status 3", i, c.State(1))
	}
	tail, err := c.LogTail(1, 2)
	if err != nil || len(tail) != 2 || !strings.HasPrefix(tail[0], "args: ") {
		t.Errorf("LogTail(1, 2) = %q, %v", tail, err)
	}
	if tail, err := c.LogTail(0, 2); err == nil || tail != nil {
		t.Errorf("LogTail of a replica never started = %q, %v", tail, err)
	}
	if c.Stop(time.Second) != 0 {
		t.Error("Stop counted a replica that had exited")
	}
}

func TestSignalAndStopEscalate(t *testing.T) {
	c := fakeCluster(t, 2, "deaf")
	startAll(t, c)
	waitLog(t, c, 0, "ready")
	waitLog(t, c, 1, "ready")
	if err := c.Freeze(0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if n := c.Stop(200 * time.Millisecond); n != 2 {
		t.Errorf("Stop stopped %d replicas, want 2", n)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("Stop took %v: replicas that ignore SIGINT must get the whole grace period", took)
	}
	if c.Running(0) || c.Running(1) {
		t.Error("replicas ignoring SIGINT survived Stop")
	}
	if err := c.Thaw(0); err == nil {
		t.Error("Thaw of an exited replica succeeded")
	}
	if err := c.Signal(0, syscall.SIGCONT); err == nil {
		t.Error("Signal to an exited replica succeeded")
	}
	if err := (&Cluster{Addrs: []string{"x"}}).Signal(0, syscall.SIGCONT); err == nil {
		t.Error("Signal to a replica never started succeeded")
	}
	if err := (&Cluster{Addrs: []string{"x"}}).Freeze(0); err == nil {
		t.Error("Freeze of a replica never started succeeded")
	}
}

func TestNameAndTee(t *testing.T) {
	c := fakeCluster(t, 1, "run")
	c.Name = func(int) string { return "first" }
	tee, err := os.Create(filepath.Join(t.TempDir(), "tee"))
	if err != nil {
		t.Fatal(err)
	}
	defer tee.Close()
	c.Tee = func(int) io.Writer { return tee }
	startAll(t, c)
	if filepath.Base(c.LogPath(0)) != "replica-first.log" {
		t.Errorf("LogPath(0) = %s", c.LogPath(0))
	}
	waitLog(t, c, 0, "ready")
	c.Stop(5 * time.Second) // it waits until the copying to tee is done
	if got, _ := os.ReadFile(tee.Name()); !bytes.Contains(got, []byte("args: server")) || bytes.Contains(got, []byte("=== start")) {
		t.Errorf("the tee got %q: want the output without the log's start mark", got)
	}
	if err := c.Start(0, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(0, false); err == nil || err.Error() != "replica first is already running" {
		t.Errorf("second Start: %v", err)
	}
}

func TestFreeAddrs(t *testing.T) {
	addrs, err := FreeAddrs(6)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(addrs)
	if len(slices.Compact(addrs)) != 6 {
		t.Errorf("FreeAddrs(6) = %v: not distinct", addrs)
	}
}
