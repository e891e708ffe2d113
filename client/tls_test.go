package client_test

import (
	"context"
	"crypto/tls"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/certs"
	"github.com/vr-go/vr/internal/testcluster"
	"github.com/vr-go/vr/kv"
)

// startTLSCluster starts a 3-replica cluster under mutual TLS and returns
// the directory of its certificates.
func startTLSCluster(t *testing.T) (*testcluster.Cluster, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := certs.InitDir(dir, certs.InitOptions{Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	c := &testcluster.Cluster{TLSDir: dir}
	if err := c.StartNew(3, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c, dir
}

// dialRole dials the cluster with the client certificate of role.
func dialRole(t *testing.T, c *testcluster.Cluster, dir string, role auth.Role) *client.Client {
	t.Helper()
	src, err := auth.Load(certs.ClientFiles(dir, role))
	if err != nil {
		t.Fatal(err)
	}
	return dialTLS(t, c, src.DialConfig(0, nil))
}

func dialTLS(t *testing.T, c *testcluster.Cluster, cfg *tls.Config) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.DialConfig(ctx, client.Config{Addrs: c.Addrs, RetryInterval: 50 * time.Millisecond, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// TestTLSRoles checks, over mutual TLS, that a write client writes, that a
// read client reads but its writes are refused with ErrPermissionDenied
// (also a write smuggled into a read request) and change nothing, and
// that an admin client may write.
func TestTLSRoles(t *testing.T) {
	c, dir := startTLSCluster(t)
	ctx := ctxT(t)
	writer := dialRole(t, c, dir, auth.RoleWrite)
	v1, err := writer.Put(ctx, []byte("k"), []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	reader := dialRole(t, c, dir, auth.RoleRead)
	if val, ver, err := reader.Get(ctx, []byte("k")); err != nil || string(val) != "one" || ver != v1 {
		t.Fatalf("read client's get: %q %d %v", val, ver, err)
	}
	refused := map[string]func() error{
		"put":    func() error { _, err := reader.Put(ctx, []byte("k"), []byte("two")); return err },
		"delete": func() error { _, err := reader.Delete(ctx, []byte("k")); return err },
		"cas":    func() error { _, err := reader.CAS(ctx, []byte("k"), v1, []byte("two")); return err },
		"put as a query": func() error {
			_, err := reader.Query(ctx, kv.NewPut([]byte("k"), []byte("two")).Encode())
			return err
		},
	}
	for name, op := range refused {
		if err := op(); !errors.Is(err, client.ErrPermissionDenied) || !errors.Is(err, client.ErrNotApplied) {
			t.Errorf("read client's %s: %v, want ErrPermissionDenied and ErrNotApplied", name, err)
		}
	}
	if val, ver, err := writer.Get(ctx, []byte("k")); err != nil || string(val) != "one" || ver != v1 {
		t.Fatalf("after the refused writes: %q %d %v", val, ver, err)
	}
	if _, err := dialRole(t, c, dir, auth.RoleAdmin).Put(ctx, []byte("k"), []byte("three")); err != nil {
		t.Fatalf("admin put: %v", err)
	}
}

// TestTLSPlaintextClientChangesNothing checks that a plaintext client
// cannot write to a TLS cluster.
func TestTLSPlaintextClientChangesNothing(t *testing.T) {
	c, dir := startTLSCluster(t)
	plain := dialTLS(t, c, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := plain.Put(ctx, []byte("k"), []byte("plain")); err == nil {
		t.Fatal("plaintext put succeeded")
	}
	writer := dialRole(t, c, dir, auth.RoleWrite)
	if _, _, err := writer.Get(ctxT(t), []byte("k")); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("after the plaintext put: %v", err)
	}
}

// TestTLSRefusedCertificateExplained checks that a client whose
// certificate the cluster refuses (expired) changes nothing, and that its
// timed-out call says the replicas refused the TLS connection.
func TestTLSRefusedCertificateExplained(t *testing.T) {
	c, dir := startTLSCluster(t)
	ca, err := certs.LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := certs.ClientFiles(dir, auth.RoleWrite)
	files.Cert, files.Key = filepath.Join(dir, "expired.crt"), filepath.Join(dir, "expired.key")
	now := time.Now()
	spec := certs.Spec{Identity: auth.ClientIdentity(0, auth.RoleAdmin), NotBefore: now.Add(-50 * time.Minute), NotAfter: now.Add(-time.Minute)}
	if err := ca.IssueTo(files, spec); err != nil {
		t.Fatal(err)
	}
	src, err := auth.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	expired := dialTLS(t, c, src.DialConfig(0, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = expired.Put(ctx, []byte("k"), []byte("v"))
	if err == nil || !strings.Contains(err.Error(), "refused the TLS connection") {
		t.Fatalf("put with an expired certificate: %v", err)
	}
	if _, _, err := dialRole(t, c, dir, auth.RoleRead).Get(ctxT(t), []byte("k")); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("after the refused put: %v", err)
	}
}
