package transport

import (
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/certs"
	"github.com/vr-go/vr/message"
)

// TestTLSClusterExchanges checks that replicas under mutual TLS exchange
// every peer message, each arriving from the replica that sent it.
func TestTLSClusterExchanges(t *testing.T) {
	p := newPKI(t)
	trs, _ := startCluster(t, 3, p.withTLS(t))
	for from := 1; from < 3; from++ {
		for _, m := range peerMessages(uint8(from)) {
			trs[from].Send(0, m)
			in := receive(t, trs[0])
			if in.From != from || !reflect.DeepEqual(in.Msg, m) {
				t.Fatalf("sent %v from %d, got %+v", m.Type(), from, in)
			}
		}
	}
}

// TestTLSIdentityBinding checks that a connection authenticated as one
// replica cannot send as another, that a client certificate cannot speak
// the replica protocol, and that a replica certificate cannot send client
// requests. Each refused connection counts as a bad frame and delivers
// nothing.
func TestTLSIdentityBinding(t *testing.T) {
	p := newPKI(t)
	trs, _ := startCluster(t, 3, p.withTLS(t))
	tr := trs[0]
	cases := []struct {
		name   string
		files  auth.Files
		sender uint8
		m      message.Message
	}{
		{"replica 1 sends as replica 2", certs.ReplicaFiles(p.dir, 1), 2, &message.Commit{View: 1, Commit: 1}},
		{"replica 1 claims replica 2 in the message", certs.ReplicaFiles(p.dir, 1), 1, &message.StartViewChange{View: 1, Replica: 2}},
		{"admin client sends a Commit", certs.ClientFiles(p.dir, auth.RoleAdmin), 1, &message.Commit{View: 1, Commit: 1}},
		{"replica sends a client request", certs.ReplicaFiles(p.dir, 2), 255, &message.Request{ClientID: 1, RequestNum: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tr.Stats()
			conn := dialTLS(t, tr, tc.files)
			writeFrame(t, conn, testCluster, tc.sender, tc.m)
			expectClosed(t, conn)
			after := tr.Stats()
			if after.BadFrames != before.BadFrames+1 || after.Received != before.Received {
				t.Fatalf("stats before %+v, after %+v", before, after)
			}
		})
	}
	// The honest use of the same certificates goes through.
	conn := dialTLS(t, tr, certs.ReplicaFiles(p.dir, 1))
	writeFrame(t, conn, testCluster, 1, &message.Commit{View: 1, Commit: 1})
	if in := receive(t, tr); in.From != 1 {
		t.Fatalf("replica 1's commit arrived as %+v", in)
	}
}

// TestTLSClientRole checks that a client's requests carry the role of its
// certificate, and that its replies come back over TLS.
func TestTLSClientRole(t *testing.T) {
	p := newPKI(t)
	trs, _ := startCluster(t, 1, p.withTLS(t))
	for _, role := range auth.Roles() {
		conn := dialTLS(t, trs[0], certs.ClientFiles(p.dir, role))
		writeFrame(t, conn, testCluster, 255, &message.Request{ClientID: 1, RequestNum: 1})
		in := receive(t, trs[0])
		if in.From != -1 || in.Role != role || in.Client == nil {
			t.Fatalf("%v client's request arrived as %+v", role, in)
		}
	}
}

// TestTLSPlaintextClientRefused checks that a plaintext connection to a
// TLS replica delivers nothing and is logged once (one warning per source
// and reason, however often it retries).
func TestTLSPlaintextClientRefused(t *testing.T) {
	p := newPKI(t)
	var log logBuffer
	trs, _ := startCluster(t, 1, both(p.withTLS(t), captureLog(&log)))
	tr := trs[0]
	for range 3 {
		conn := dialRaw(t, tr)
		writeFrame(t, conn, testCluster, 255, &message.Request{ClientID: 1, RequestNum: 1})
		expectClosed(t, conn)
	}
	waitStat(t, tr, "handshake failures", func(s Stats) uint64 { return s.HandshakeFailures }, 3)
	if got := log.lines("TLS handshake refused"); len(got) != 1 || !strings.Contains(got[0], "not TLS") {
		t.Fatalf("want one warning about a plaintext client, got %q", got)
	}
	if s := tr.Stats(); s.Received != 0 {
		t.Fatalf("plaintext delivered: %+v", s)
	}
}

// TestTLSBadCertificateLogged checks that an expired certificate, and one
// signed by another CA, are refused at the handshake with one log line
// that says why.
func TestTLSBadCertificateLogged(t *testing.T) {
	p := newPKI(t)
	// Expired a minute ago, within the CA's validity (from an hour ago).
	now := time.Now()
	expired := p.issue(t, "expired", certs.Spec{Identity: auth.ReplicaIdentity(testCluster, 1),
		NotBefore: now.Add(-50 * time.Minute), NotAfter: now.Add(-time.Minute)})
	stranger := certs.ReplicaFiles(newPKI(t).dir, 1)
	stranger.CA = expired.CA // trusts our CA, is signed by another
	cases := []struct {
		name  string
		files auth.Files
		want  string
	}{
		{"expired", expired, "expired"},
		{"signed by another CA", stranger, "unknown authority"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log logBuffer
			trs, _ := startCluster(t, 1, both(p.withTLS(t), captureLog(&log)))
			conn := dialTLS(t, trs[0], tc.files)
			writeFrame(t, conn, testCluster, 1, &message.Commit{View: 1})
			expectClosed(t, conn)
			waitStat(t, trs[0], "handshake failures", func(s Stats) uint64 { return s.HandshakeFailures }, 1)
			got := log.lines("level=WARN")
			if len(got) != 1 || !strings.Contains(got[0], "certificate rejected") || !strings.Contains(got[0], tc.want) {
				t.Fatalf("want one warning saying %q, got %q", tc.want, got)
			}
			if s := trs[0].Stats(); s.Received != 0 {
				t.Fatalf("delivered: %+v", s)
			}
		})
	}
}

// TestTLSPeerMustBeTheReplicaDialled checks that a replica refuses to
// send to a listener presenting another replica's certificate: replica 1
// dials "replica 0", which presents replica 2's certificate.
func TestTLSPeerMustBeTheReplicaDialled(t *testing.T) {
	p := newPKI(t)
	impostor := func(c *Config) {
		i := c.Self
		if i == 0 {
			i = 2
		}
		c.TLS = source(t, certs.ReplicaFiles(p.dir, i))
	}
	var log logBuffer
	trs, _ := startCluster(t, 3, both(impostor, captureLog(&log)))
	trs[1].Send(0, &message.Commit{View: 1, Commit: 1})
	if got := log.waitLines(t, "dial failed"); !strings.Contains(got[0], "unexpected peer") {
		t.Fatalf("dial warning %q", got)
	}
	if s := trs[0].Stats(); s.Received != 0 {
		t.Fatalf("impostor received: %+v", s)
	}
}

// TestTLSReloadRotates checks certificate rotation on a live transport:
// after Reload a new connection gets the new certificate, and a
// connection opened before keeps working.
func TestTLSReloadRotates(t *testing.T) {
	p := newPKI(t)
	files := certs.ReplicaFiles(p.dir, 0)
	src := source(t, files)
	trs, _ := startCluster(t, 1, func(c *Config) { c.TLS = src })
	client := certs.ClientFiles(p.dir, auth.RoleWrite)
	before := dialTLS(t, trs[0], client)
	if err := p.ca.IssueTo(files, certs.Spec{Identity: auth.ReplicaIdentity(testCluster, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := src.Reload(); err != nil {
		t.Fatal(err)
	}
	after := dialTLS(t, trs[0], client)
	oldSerial := before.ConnectionState().PeerCertificates[0].SerialNumber.String()
	newSerial := after.ConnectionState().PeerCertificates[0].SerialNumber.String()
	if oldSerial == newSerial || newSerial != src.Serial() {
		t.Fatalf("serial before %s, after %s, source %s", oldSerial, newSerial, src.Serial())
	}
	for _, conn := range []net.Conn{before, after} {
		writeFrame(t, conn, testCluster, 255, &message.Request{ClientID: 1, RequestNum: 1})
		if in := receive(t, trs[0]); in.Role != auth.RoleWrite {
			t.Fatalf("request arrived as %+v", in)
		}
	}
}
