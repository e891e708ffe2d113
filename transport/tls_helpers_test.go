package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/certs"
)

// testPKI is a development CA of testCluster with 3 replicas.
type testPKI struct {
	dir string
	ca  *certs.CA
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	dir := t.TempDir()
	ca, err := certs.InitDir(dir, certs.InitOptions{Replicas: 3, ClusterID: testCluster})
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{dir: dir, ca: ca}
}

// source loads the identity in f.
func source(t testing.TB, f auth.Files) *auth.Source {
	t.Helper()
	s, err := auth.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// issue writes a certificate for spec under name and returns its files.
func (p *testPKI) issue(t testing.TB, name string, spec certs.Spec) auth.Files {
	t.Helper()
	f := auth.Files{Cert: filepath.Join(p.dir, name+".crt"), Key: filepath.Join(p.dir, name+".key"),
		CA: filepath.Join(p.dir, certs.CACertFile)}
	if err := p.ca.IssueTo(f, spec); err != nil {
		t.Fatal(err)
	}
	return f
}

// withTLS gives every transport of a test cluster its replica certificate.
func (p *testPKI) withTLS(t testing.TB) func(*Config) {
	return func(c *Config) { c.TLS = source(t, certs.ReplicaFiles(p.dir, c.Self)) }
}

// dialTLS opens a TLS connection to tr presenting the identity in f.
func dialTLS(t testing.TB, tr *Transport, f auth.Files) *tls.Conn {
	t.Helper()
	d := tls.Dialer{Config: source(t, f).DialConfig(testCluster, nil)}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", tr.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn.(*tls.Conn)
}

// logBuffer collects a logger's output; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the logged lines that contain s.
func (b *logBuffer) lines(s string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// waitLines waits until at least one logged line contains s and returns
// the lines that do.
func (b *logBuffer) waitLines(t testing.TB, s string) []string {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		if got := b.lines(s); len(got) > 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q within %v", s, waitFor)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// captureLog makes the transport log at warn level into a buffer.
func captureLog(buf *logBuffer) func(*Config) {
	return func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
}

// both applies several config edits.
func both(edits ...func(*Config)) func(*Config) {
	return func(c *Config) {
		for _, e := range edits {
			e(c)
		}
	}
}

// waitStat waits until get(tr.Stats()) reaches want.
func waitStat(t testing.TB, tr *Transport, what string, get func(Stats) uint64, want uint64) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for get(tr.Stats()) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d within %v", what, get(tr.Stats()), want, waitFor)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var _ net.Conn = (*tls.Conn)(nil)
