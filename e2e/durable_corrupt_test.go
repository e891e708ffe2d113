//go:build linux

package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
)

// corruptLogged is what a replica logs, at error level, when it finds a
// corrupt record in its log.
const corruptLogged = "corrupt log: moved aside, repairing from peers by the recovery protocol"

// TestDurableCorruptLogDetected flips a byte inside an early record of a
// stopped replica's log and restarts it. The replica must notice, move its
// log aside, and repair itself from its peers with the recovery protocol;
// while its peers are down it must neither serve nor claim normal status.
func TestDurableCorruptLogDetected(t *testing.T) {
	t.Run("peers up", testCorruptRepaired)
	t.Run("peers down", testCorruptWaitsForPeers)
}

// testCorruptRepaired corrupts a backup's log while the others go on
// without it, and checks that it repairs itself and that the repaired log
// is one it can later resume from.
func testCorruptRepaired(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second*time.Duration(timeScale()))
	defer cancel()
	d := startDurableCluster(ctx, t, 3)
	kv := dialAcked(ctx, t, d.Addrs)
	kv.putKeys(ctx, t, "a", 60, "first")
	target := d.quietBackup(ctx, t)
	d.kill(target)
	t.Logf("replica %d: %s", target, flipEarlyRecord(t, d.DataDirs[target]))
	kv.putKeys(ctx, t, "a", 20, "second")
	kv.putKeys(ctx, t, "b", 20, "while-down")
	mark := d.LogSize(target)
	d.start(target)
	d.expectCorruptionReported(ctx, t, target, mark)
	if _, err := d.waitLogLine(ctx, target, mark, waitLimit, "msg=recovered"); err != nil {
		t.Fatal(err)
	}
	checkConverged(ctx, t, d.cluster)
	kv.checkAll(ctx, t)

	// The repair wrote a whole new log: a crash now resumes from it.
	d.kill(target)
	mark = d.LogSize(target)
	d.start(target)
	checkConverged(ctx, t, d.cluster)
	if l := findLine(d.LogSince(target, mark), "msg=recovered"); l != "" {
		t.Errorf("after its repair replica %d needed the recovery protocol again: %s", target, l)
	}
	if dirs := corruptDirs(t, d.DataDirs[target]); len(dirs) != 1 {
		t.Errorf("after a clean restart replica %d has %d corrupt-* directories: %v", target, len(dirs), dirs)
	}
	kv.checkAll(ctx, t)
}

// testCorruptWaitsForPeers stops the whole cluster, corrupts one replica's
// log and starts that replica alone: it cannot repair, so it must stay
// recovering and serve nothing until its peers are back.
func testCorruptWaitsForPeers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second*time.Duration(timeScale()))
	defer cancel()
	d := startDurableCluster(ctx, t, 3)
	kv := dialAcked(ctx, t, d.Addrs)
	kv.putKeys(ctx, t, "a", 60, "first")
	target := d.quietBackup(ctx, t)
	d.kill(d.All()...)
	t.Logf("replica %d: %s", target, flipEarlyRecord(t, d.DataDirs[target]))
	mark := d.LogSize(target)
	d.start(target)
	d.expectCorruptionReported(ctx, t, target, mark)
	d.expectNotServing(ctx, t, target, 2*time.Second*time.Duration(timeScale()))
	for _, i := range without(d.All(), target) {
		d.start(i)
	}
	if _, err := d.waitLogLine(ctx, target, mark, waitLimit, "msg=recovered"); err != nil {
		t.Fatal(err)
	}
	checkConverged(ctx, t, d.cluster)
	kv.checkAll(ctx, t)
}

// quietBackup waits until every replica holds and executed the same ops,
// and returns a backup.
func (d *durableCluster) quietBackup(ctx context.Context, t *testing.T) int {
	t.Helper()
	sts, err := d.waitConverged(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return (sts[0].Primary + 1) % len(d.Addrs)
}

// expectCorruptionReported checks that replica i, started after mark,
// logged the corruption at error level and moved its log aside.
func (d *durableCluster) expectCorruptionReported(ctx context.Context, t *testing.T, i int, mark int64) {
	t.Helper()
	// A replica reads its log before it starts the protocol.
	started, err := d.waitLogLine(ctx, i, mark, waitLimit, `msg="replica started"`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(started, "status=recovering") {
		t.Errorf("replica %d, whose log is corrupt, did not start recovering: %s", i, started)
	}
	line := findLine(d.LogSince(i, mark), "level=ERROR", corruptLogged)
	if line == "" {
		t.Fatalf("replica %d started without reporting its corrupt log at error level (%q); its log:\n%s",
			i, corruptLogged, d.LogSince(i, mark))
	}
	t.Logf("replica %d: %s", i, line)
	dirs := corruptDirs(t, d.DataDirs[i])
	if len(dirs) != 1 {
		t.Fatalf("replica %d has %d corrupt-* directories, want 1: %v", i, len(dirs), dirs)
	}
	if segs, _ := filepath.Glob(filepath.Join(dirs[0], "log", "*.seg")); len(segs) == 0 {
		t.Errorf("%s holds no log segments: the corrupt log was not kept for study", dirs[0])
	}
}

// expectNotServing checks, for the whole window, that replica i (alone up)
// reports recovering status whenever it answers and that a client request
// gets no answer.
func (d *durableCluster) expectNotServing(ctx context.Context, t *testing.T, i int, window time.Duration) {
	t.Helper()
	served := make(chan error, 1)
	go func() { served <- tryGet(ctx, d.Addrs, window) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(window)
	answers := 0
	for ; time.Now().Before(deadline); <-tick.C {
		if s := fetch(ctx, d.StatusAddrs[i]); s != nil {
			answers++
			if s.Status != "recovering" {
				t.Fatalf("replica %d, alone with a corrupt log, reports status %q in view %d", i, s.Status, s.View)
			}
		}
		if err := d.crashed(); err != nil {
			t.Fatal(err)
		}
	}
	if answers == 0 {
		t.Fatalf("replica %d never answered its status endpoint", i)
	}
	if err := <-served; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a request to replica %d alone with a corrupt log ended with %v, want no answer", i, err)
	}
	t.Logf("replica %d stayed recovering for %v (%d status reads) and answered no request", i, window, answers)
}

// tryGet sends one Get to the cluster and returns how it ended.
func tryGet(ctx context.Context, addrs []string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		return err
	}
	defer c.Close()
	_, _, err = c.Get(ctx, []byte("a0"))
	return err
}
