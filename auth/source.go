package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// Files names the PEM files of a TLS identity: a certificate chain (leaf
// first), its private key, and the CA certificates to trust.
type Files struct {
	Cert, Key, CA string
}

// Configured reports whether any of the files is named.
func (f Files) Configured() bool { return f.Cert != "" || f.Key != "" || f.CA != "" }

// check reports a missing file name.
func (f Files) check() error {
	if f.Cert == "" || f.Key == "" || f.CA == "" {
		return errors.New("auth: TLS needs a certificate, its key and a CA file (--tls-cert, --tls-key, --tls-ca)")
	}
	return nil
}

// bundle is one loaded identity: what a Source swaps atomically.
type bundle struct {
	cert  *tls.Certificate
	leaf  *x509.Certificate
	roots *x509.CertPool
	id    Identity
}

// Source is a TLS identity that can be reloaded: the current certificate,
// key and trusted CAs. It is safe for concurrent use.
type Source struct {
	files Files
	cur   atomic.Pointer[bundle]
}

// Load reads files and returns a Source holding them. The certificate
// must carry a vr:// identity (see the package documentation).
func Load(files Files) (*Source, error) {
	if err := files.check(); err != nil {
		return nil, err
	}
	s := &Source{files: files}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload reads the files again and, if they form a valid identity, makes
// it the one that new connections use. On error the previous identity
// stays in use.
func (s *Source) Reload() error {
	b, err := loadBundle(s.files)
	if err != nil {
		return err
	}
	s.cur.Store(b)
	return nil
}

// Identity is the identity of the current certificate.
func (s *Source) Identity() Identity { return s.cur.Load().id }

// NotAfter is when the current certificate expires.
func (s *Source) NotAfter() time.Time { return s.cur.Load().leaf.NotAfter }

// Serial is the serial number of the current certificate, for logs.
func (s *Source) Serial() string { return s.cur.Load().leaf.SerialNumber.String() }

// loadBundle reads and checks one identity.
func loadBundle(f Files) (*bundle, error) {
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("auth: certificate %s with key %s: %w", f.Cert, f.Key, err)
	}
	caPEM, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("auth: CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("auth: CA file %s holds no PEM certificate", f.CA)
	}
	id, err := IdentityOf(cert.Leaf)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", f.Cert, err)
	}
	return &bundle{cert: &cert, leaf: cert.Leaf, roots: roots, id: id}, nil
}
