package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// ServerConfig returns the configuration of a replica's listener in
// cluster: TLS 1.3, the current certificate, and a client certificate
// required and verified against the current CAs; the client's identity
// (a replica or a client of cluster) is in the verified leaf, read it with
// PeerIdentity.
func (s *Source) ServerConfig(cluster uint64) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		// The chain is verified by VerifyConnection against the current
		// CAs, which Reload may swap; ClientCAs would be fixed here.
		ClientAuth: tls.RequireAnyClientCert,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return s.cur.Load().cert, nil
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := s.verify(cs, x509.ExtKeyUsageClientAuth, cluster)
			return err
		},
	}
}

// DialConfig returns the configuration of a connection to a replica of
// cluster: TLS 1.3, the current certificate as the client certificate,
// and the server's chain verified against the current CAs. expect, if not
// nil, checks the server's identity (for example: replica 2).
//
// Host names are not checked: the identity in the certificate is (a
// replica of this cluster, signed by the cluster's CA), which is what a
// replica's address stands for and stays true when addresses change.
func (s *Source) DialConfig(cluster uint64, expect func(Identity) error) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		// Not insecure: VerifyConnection below verifies the chain against
		// the current CAs and the identity instead of the host name.
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return s.cur.Load().cert, nil
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			id, err := s.verify(cs, x509.ExtKeyUsageServerAuth, cluster)
			if err == nil && !id.IsReplica() {
				err = fmt.Errorf("%w: %s is not a replica", ErrUnexpectedPeer, id)
			}
			if err == nil && expect != nil {
				err = expect(id)
			}
			return err
		},
	}
}

// ExpectReplica returns a DialConfig check that the server is replica i.
func ExpectReplica(i int) func(Identity) error {
	return func(id Identity) error {
		if id.Replica != i {
			return fmt.Errorf("%w: dialled replica %d, certificate is %s", ErrUnexpectedPeer, i, id)
		}
		return nil
	}
}

// verify checks the peer's chain against the current CAs for usage, and
// that its leaf carries an identity of cluster.
func (s *Source) verify(cs tls.ConnectionState, usage x509.ExtKeyUsage, cluster uint64) (Identity, error) {
	if len(cs.PeerCertificates) == 0 {
		return Identity{}, fmt.Errorf("%w: no certificate", ErrRejected)
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: s.cur.Load().roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}}
	if _, err := leaf.Verify(opts); err != nil {
		return Identity{}, fmt.Errorf("%w: %q: %w", ErrRejected, leaf.Subject.CommonName, err)
	}
	id, err := identityIn(leaf, cluster)
	if err != nil {
		return id, fmt.Errorf("%w: %w", ErrRejected, err)
	}
	return id, nil
}

// PeerIdentity returns the identity of the peer of a completed handshake
// made with ServerConfig or DialConfig (which verified it).
func PeerIdentity(cs tls.ConnectionState) (Identity, error) {
	if len(cs.PeerCertificates) == 0 {
		return Identity{}, errors.New("auth: no peer certificate")
	}
	return IdentityOf(cs.PeerCertificates[0])
}
