//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vr-go/vr/internal/procs"
)

// durableCluster is a cluster whose replicas run in durable mode, each with
// its own data directory (DataDirs). Every start passes --new-cluster: the
// data directory, not the flag, decides whether a replica resumes from its
// disk.
type durableCluster struct {
	*cluster
}

// startDurableCluster starts n durable replicas (sync mode) as a new
// cluster, each with fastFlags and then flags, and waits until every one is
// normal. Like startCluster, it retries with other ports if one was taken
// in the meantime.
func startDurableCluster(ctx context.Context, t *testing.T, n int, flags ...string) *durableCluster {
	t.Helper()
	c := formCluster(ctx, t, n, "durable cluster", func(c *cluster) {
		c.Flags = append(c.Flags, fastFlags()...)
		c.Flags = append(c.Flags, flags...)
		for i := range n {
			c.DataDirs = append(c.DataDirs, filepath.Join(t.TempDir(), "replica-"+strconv.Itoa(i)))
		}
	})
	return &durableCluster{cluster: c}
}

// start launches replica i with its data directory and --new-cluster.
func (d *durableCluster) start(i int) {
	d.t.Helper()
	d.cluster.start(i, true)
}

// waitLogLine polls replica i's log after mark for a line containing every
// one of parts, for at most limit, and returns that line.
func (d *durableCluster) waitLogLine(ctx context.Context, i int, mark int64, limit time.Duration, parts ...string) (string, error) {
	var line string
	err := poll(ctx, limit, fmt.Sprintf("replica %d to log %q", i, parts), func() bool {
		line = findLine(d.LogSince(i, mark), parts...)
		return line != ""
	})
	return line, err
}

// findLine returns the first line of b that contains every part, or "".
func findLine(b []byte, parts ...string) string {
	for l := range bytes.Lines(b) {
		if !slices.ContainsFunc(parts, func(p string) bool { return !bytes.Contains(l, []byte(p)) }) {
			return string(bytes.TrimSpace(l))
		}
	}
	return ""
}

// poll checks cond every 20ms until it holds, for at most limit.
func poll(ctx context.Context, limit time.Duration, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if procs.Poll(ctx, 20*time.Millisecond, func() (bool, error) { return cond(), nil }) != nil {
		return fmt.Errorf("gave up after %v waiting for %s", limit, what)
	}
	return nil
}
