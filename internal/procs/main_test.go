//go:build linux

package procs

import (
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeServerEnv makes the test binary act as a `vr server`: see fakeServer.
const fakeServerEnv = "PROCS_TEST_FAKE_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(fakeServerEnv) == "1" {
		fakeServer(os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

// fakeServer prints its arguments and whether it sees VR_SECRET, then
// behaves as its --mode flag says: "run" until SIGINT or SIGTERM, "deaf"
// ignoring SIGINT, or "exit" at once with status 3. It prints "ready" once
// its signal handling is in place.
func fakeServer(args []string) {
	fmt.Printf("args: %s\n", strings.Join(args, " "))
	fmt.Printf("VR_SECRET=%q\n", os.Getenv("VR_SECRET"))
	mode := "run"
	if i := slices.Index(args, "--mode"); i >= 0 && i+1 < len(args) {
		mode = args[i+1]
	}
	sig := make(chan os.Signal, 1)
	switch mode {
	case "exit":
		os.Exit(3)
	case "deaf":
		signal.Ignore(os.Interrupt)
		signal.Notify(sig, syscall.SIGTERM)
	default:
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	}
	fmt.Println("ready")
	select {
	case <-sig:
		fmt.Println("interrupted")
	case <-time.After(time.Minute):
	}
}

// fakeCluster is a Cluster of n fake servers in mode, logging to a
// temporary directory.
func fakeCluster(t *testing.T, n int, mode string) *Cluster {
	t.Setenv(fakeServerEnv, "1")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := FreeAddrs(n)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Exe: exe, Addrs: addrs, LogDir: t.TempDir(), Flags: []string{"--mode", mode}}
	t.Cleanup(func() { c.Stop(0) })
	return c
}

// startAll starts every replica of c as a new cluster.
func startAll(t *testing.T, c *Cluster) {
	t.Helper()
	for i := range c.Addrs {
		if err := c.Start(i, true); err != nil {
			t.Fatal(err)
		}
	}
}

// waitLog waits until replica i's log contains s.
func waitLog(t *testing.T, c *Cluster, i int, s string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(string(c.LogSince(i, 0)), s) {
			return
		}
	}
	t.Fatalf("replica %d never logged %q; its log:\n%s", i, s, c.LogSince(i, 0))
}
