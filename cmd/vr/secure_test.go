package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/certs"
	"github.com/vr-go/vr/internal/testcluster"
)

// certDir makes development certificates for 3 replicas of cluster 0.
func certDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, code := runVR(t, "", "certs", "init", "--dir", dir, "--replicas", "3")
	if code != exitOK {
		t.Fatalf("certs init: %d %s", code, out)
	}
	return dir
}

// TestCertsInit checks the files `vr certs init` writes, their
// identities, and that it will not replace a CA without --force.
func TestCertsInit(t *testing.T) {
	dir := certDir(t)
	for i := range 3 {
		src, err := auth.Load(certs.ReplicaFiles(dir, i))
		if err != nil || src.Identity() != auth.ReplicaIdentity(0, i) {
			t.Fatalf("replica %d: %v, %v", i, err, src)
		}
	}
	for _, r := range auth.Roles() {
		src, err := auth.Load(certs.ClientFiles(dir, r))
		if err != nil || src.Identity() != auth.ClientIdentity(0, r) {
			t.Fatalf("client %v: %v", r, err)
		}
	}
	if st, err := os.Stat(dir + "/" + certs.CAKeyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("CA key: %v %v", st, err)
	}
	if out, code := runVR(t, "", "certs", "init", "--dir", dir); code == exitOK || !strings.Contains(out, "--force") {
		t.Fatalf("second init: %d %s", code, out)
	}
}

// TestServerSecureByDefault checks when a replica may run without TLS.
func TestServerSecureByDefault(t *testing.T) {
	dir := certDir(t)
	r1 := certs.ReplicaFiles(dir, 1)
	cases := []struct {
		name     string
		listen   string
		insecure bool
		tls      auth.Files
		err, log string
	}{
		{"plaintext off loopback", "10.0.0.1:8000", false, auth.Files{}, "refusing to listen on 10.0.0.1:8000 without TLS", ""},
		{"every interface", ":8000", false, auth.Files{}, "without TLS", ""},
		{"insecure off loopback", "10.0.0.1:8000", true, auth.Files{}, "", "level=WARN msg=\"INSECURE"},
		{"loopback", "127.0.0.1:8000", false, auth.Files{}, "", "level=INFO msg=\"no TLS: plaintext, on a loopback address only"},
		{"insecure on loopback", "[::1]:8000", true, auth.Files{}, "", "INSECURE"},
		{"TLS", "10.0.0.1:8000", false, r1, "", "mutual TLS on every connection"},
		{"TLS and insecure", "10.0.0.1:8000", true, r1, "contradict", ""},
		{"another replica's certificate", "10.0.0.1:8000", false, certs.ReplicaFiles(dir, 2), "but this replica is vr://cluster/0/replica/1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			f := serverFlags{index: 1, insecure: tc.insecure, tls: tlsFlags{cert: tc.tls.Cert, key: tc.tls.Key, ca: tc.tls.CA}}
			src, err := f.serverTLS(tc.listen, slog.New(slog.NewTextHandler(&log, nil)))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || exitCode(err) != exitUsage {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || (src != nil) != tc.tls.Configured() {
				t.Fatalf("source %v, err %v", src, err)
			}
			if lines := strings.Count(log.String(), "\n"); lines != 1 || !strings.Contains(log.String(), tc.log) {
				t.Fatalf("log %q, want one line with %q", log.String(), tc.log)
			}
		})
	}
}

// TestReloadOnHangup checks that SIGHUP makes the server's certificate
// source read its files again.
func TestReloadOnHangup(t *testing.T) {
	dir := certDir(t)
	files := certs.ReplicaFiles(dir, 0)
	src, err := auth.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloadOnHangup(ctx, src, slog.New(slog.DiscardHandler))
	ca, err := certs.LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := src.Serial()
	if err := ca.IssueTo(files, certs.Spec{Identity: auth.ReplicaIdentity(0, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for src.Serial() == old {
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload the certificate")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestKVCommandsOverTLS runs the CLI against a cluster under mutual TLS:
// with a write certificate it writes, with a read certificate its put is
// refused (exit 1, permission denied), without TLS flags it gets no
// answer (exit 3), and a replica certificate is refused as a client's.
func TestKVCommandsOverTLS(t *testing.T) {
	dir := certDir(t)
	c := &testcluster.Cluster{TLSDir: dir}
	if err := c.StartNew(3, nil); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	t.Setenv("VR_CLUSTER", strings.Join(c.Addrs, ","))
	as := func(f auth.Files) []string {
		return []string{"--tls-cert", f.Cert, "--tls-key", f.Key, "--tls-ca", f.CA}
	}
	steps := []struct {
		args []string
		code int
		out  string
	}{
		{append([]string{"put", "k", "v1"}, as(certs.ClientFiles(dir, auth.RoleWrite))...), exitOK, "OK version=1"},
		{append([]string{"put", "k", "v2"}, as(certs.ClientFiles(dir, auth.RoleRead))...), exitNegative, "permission denied"},
		{append([]string{"get", "k"}, as(certs.ClientFiles(dir, auth.RoleRead))...), exitOK, "v1"},
		{[]string{"put", "k", "v3", "--timeout", "1s"}, exitUnavailable, ""},
		{append([]string{"get", "k"}, as(certs.ReplicaFiles(dir, 0))...), exitUsage, "not a client certificate"},
	}
	for _, s := range steps {
		out, code := runVR(t, "", s.args...)
		if code != s.code || !strings.Contains(out, s.out) {
			t.Fatalf("vr %s: exit %d %q, want %d %q", strings.Join(s.args[:3], " "), code, out, s.code, s.out)
		}
	}
}

// TestStatusServerDropsSlowLoris checks that the status endpoint closes a
// connection that trickles its request headers.
func TestStatusServerDropsSlowLoris(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	timeouts := statusTimeouts{readHeader: 100 * time.Millisecond, read: time.Second, write: time.Second, idle: time.Second}
	srv := newStatusServer(http.NotFoundHandler(), timeouts)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /status HTTP/1.1\r\nHost: x\r\n"); err != nil { // never ends
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, conn); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("a slow-loris client kept its connection")
	}
	d := newStatusServer(nil, defaultStatusTimeouts)
	if d.ReadHeaderTimeout == 0 || d.ReadTimeout == 0 || d.WriteTimeout == 0 || d.IdleTimeout == 0 || d.MaxHeaderBytes == 0 {
		t.Fatalf("a status server timeout is off: %+v", d)
	}
}
