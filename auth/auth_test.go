package auth_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/certs"
)

const cluster = 7

// pki makes a development CA with 3 replicas in a temporary directory.
func pki(t *testing.T) (string, *certs.CA) {
	t.Helper()
	dir := t.TempDir()
	ca, err := certs.InitDir(dir, certs.InitOptions{Replicas: 3, ClusterID: cluster})
	if err != nil {
		t.Fatal(err)
	}
	return dir, ca
}

func load(t *testing.T, f auth.Files) *auth.Source {
	t.Helper()
	s, err := auth.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// handshake runs a TLS handshake between the two configs over a pipe and
// returns the client's view of the connection and both sides' errors.
func handshake(t *testing.T, server, client *tls.Config) (cs tls.ConnectionState, serr, cerr error) {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		s := tls.Server(a, server)
		err := s.HandshakeContext(ctx)
		if err == nil { // TLS 1.3: the client's certificate is checked after its Finished
			_, err = s.Write([]byte{1})
		}
		done <- err
		a.Close()
	}()
	c := tls.Client(b, client)
	cerr = c.HandshakeContext(ctx)
	if cerr == nil {
		_, cerr = c.Read(make([]byte, 1))
	}
	cs = c.ConnectionState()
	b.Close()
	return cs, <-done, cerr
}

func TestIdentityURIRoundTrip(t *testing.T) {
	for _, id := range []auth.Identity{auth.ReplicaIdentity(3, 0), auth.ReplicaIdentity(1<<63, 254),
		auth.ClientIdentity(0, auth.RoleRead), auth.ClientIdentity(9, auth.RoleAdmin)} {
		got, err := auth.ParseURI(id.URI())
		if err != nil || got != id {
			t.Errorf("%s: parsed %+v, %v", id, got, err)
		}
	}
	for _, bad := range []string{"vr://cluster/x/replica/1", "vr://cluster/1/replica/255", "vr://cluster/1/client/root",
		"vr://host/1/replica/1", "https://cluster/1/replica/1", "vr://cluster/1/replica/1/extra"} {
		u, _ := url.Parse(bad)
		if _, err := auth.ParseURI(u); !errors.Is(err, auth.ErrNoIdentity) {
			t.Errorf("%s accepted: %v", bad, err)
		}
	}
}

func TestRoleAllows(t *testing.T) {
	if !auth.RoleAdmin.Allows(auth.RoleWrite) || auth.RoleRead.Allows(auth.RoleWrite) ||
		!auth.RoleWrite.Allows(auth.RoleRead) || auth.RoleNone.Allows(auth.RoleRead) {
		t.Fatal("role order broken")
	}
}

// TestMutualTLS checks the accepted and refused handshakes between a
// replica's listener and dialers.
func TestMutualTLS(t *testing.T) {
	dir, _ := pki(t)
	other, _ := pki(t)
	r0 := load(t, certs.ReplicaFiles(dir, 0))
	r1 := load(t, certs.ReplicaFiles(dir, 1))
	cases := []struct {
		name    string
		dialer  *tls.Config
		wantErr error
	}{
		{"replica 1 dials replica 0", r1.DialConfig(cluster, auth.ExpectReplica(0)), nil},
		{"client dials replica 0", load(t, certs.ClientFiles(dir, auth.RoleRead)).DialConfig(cluster, nil), nil},
		{"expects replica 2", r1.DialConfig(cluster, auth.ExpectReplica(2)), auth.ErrUnexpectedPeer},
		{"another CA", load(t, certs.ReplicaFiles(other, 1)).DialConfig(cluster, nil), auth.ErrRejected},
		{"another cluster", r1.DialConfig(cluster+1, nil), auth.ErrWrongCluster},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, serr, cerr := handshake(t, r0.ServerConfig(cluster), tc.dialer)
			if tc.wantErr == nil && (serr != nil || cerr != nil) {
				t.Fatalf("server %v, client %v", serr, cerr)
			}
			if tc.wantErr != nil && !errors.Is(cerr, tc.wantErr) && !errors.Is(serr, tc.wantErr) {
				t.Fatalf("want %v; server %v, client %v", tc.wantErr, serr, cerr)
			}
		})
	}
}

// TestClientCertCannotServe checks that a client certificate (client
// auth only) is refused as a replica's server certificate.
func TestClientCertCannotServe(t *testing.T) {
	dir, _ := pki(t)
	fake := load(t, certs.ClientFiles(dir, auth.RoleAdmin))
	_, _, cerr := handshake(t, fake.ServerConfig(cluster), load(t, certs.ReplicaFiles(dir, 1)).DialConfig(cluster, nil))
	if !errors.Is(cerr, auth.ErrRejected) {
		t.Fatalf("client certificate served: %v", cerr)
	}
}

// TestExpiredRefused checks that an expired client certificate is refused
// by the server with the reason.
func TestExpiredRefused(t *testing.T) {
	dir, ca := pki(t)
	f := auth.Files{Cert: filepath.Join(dir, "old.crt"), Key: filepath.Join(dir, "old.key"), CA: filepath.Join(dir, certs.CACertFile)}
	now := time.Now() // expired a minute ago, within the CA's validity
	spec := certs.Spec{Identity: auth.ClientIdentity(cluster, auth.RoleWrite), NotBefore: now.Add(-50 * time.Minute), NotAfter: now.Add(-time.Minute)}
	if err := ca.IssueTo(f, spec); err != nil {
		t.Fatal(err)
	}
	_, serr, _ := handshake(t, load(t, certs.ReplicaFiles(dir, 0)).ServerConfig(cluster), load(t, f).DialConfig(cluster, nil))
	if !errors.Is(serr, auth.ErrRejected) {
		t.Fatalf("expired certificate accepted: %v", serr)
	}
}

// TestReloadRotates checks that after Reload a new connection presents
// the new certificate, and a failed Reload keeps the old one.
func TestReloadRotates(t *testing.T) {
	dir, ca := pki(t)
	files := certs.ReplicaFiles(dir, 0)
	server := load(t, files)
	client := load(t, certs.ClientFiles(dir, auth.RoleRead)).DialConfig(cluster, nil)
	serverCfg := server.ServerConfig(cluster)
	before, _, _ := handshake(t, serverCfg, client)
	if err := ca.IssueTo(files, certs.Spec{Identity: auth.ReplicaIdentity(cluster, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := server.Reload(); err != nil {
		t.Fatal(err)
	}
	after, _, cerr := handshake(t, serverCfg, client)
	if cerr != nil {
		t.Fatal(cerr)
	}
	old, now := before.PeerCertificates[0].SerialNumber, after.PeerCertificates[0].SerialNumber
	if old.Cmp(now) == 0 || now.String() != server.Serial() {
		t.Fatalf("serial before %v, after %v, source %v", old, now, server.Serial())
	}
	if err := writeFile(files.Cert, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	if err := server.Reload(); err == nil || server.Serial() != now.String() {
		t.Fatalf("bad reload: %v, serial %v", err, server.Serial())
	}
}
