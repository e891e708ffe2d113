// Package certs makes development certificates for a vr cluster: a CA,
// one certificate per replica and one per client role, with ECDSA P-256
// keys (crypto/x509 only). `vr certs init` and the tests use it; in
// production, certificates come from the operator's own CA
// (docs/operations.md).
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"time"

	"github.com/vr-go/vr/auth"
)

// CA is a certificate authority: its certificate and private key.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// Leaf is an issued certificate and its key, PEM-encoded.
type Leaf struct {
	Cert            *x509.Certificate
	CertPEM, KeyPEM []byte
}

// Spec describes a certificate to issue.
type Spec struct {
	Identity auth.Identity
	// Hosts are DNS names or IP addresses added as SANs (replicas only;
	// vr checks identities, not host names, but other TLS tools do).
	Hosts []string
	// NotBefore and NotAfter bound the validity; zero: from an hour ago
	// (clock skew) for Validity.
	NotBefore, NotAfter time.Time
}

// Validity is how long development certificates last.
const Validity = 365 * 24 * time.Hour

// NewCA makes a self-signed CA valid for Validity.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"vr development CA"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(Validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	cert, err := sign(tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// CertPEM is the CA's certificate in PEM.
func (ca *CA) CertPEM() []byte { return certPEM(ca.Cert.Raw) }

// KeyPEM is the CA's private key in PEM.
func (ca *CA) KeyPEM() ([]byte, error) { return keyPEM(ca.Key) }

// Issue signs a certificate for spec.Identity with a fresh key. Replica
// certificates may serve and dial; client certificates only dial.
func (ca *CA) Issue(spec Spec) (*Leaf, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := leafTemplate(spec)
	cert, err := sign(tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	kp, err := keyPEM(key)
	if err != nil {
		return nil, err
	}
	return &Leaf{Cert: cert, CertPEM: certPEM(cert.Raw), KeyPEM: kp}, nil
}

// leafTemplate is the certificate template of spec.
func leafTemplate(spec Spec) *x509.Certificate {
	id := spec.Identity
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName(id)},
		NotBefore:   spec.NotBefore,
		NotAfter:    spec.NotAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		URIs:        []*url.URL{id.URI()},
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = now.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = now.Add(Validity)
	}
	if id.IsReplica() {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		for _, h := range spec.Hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
	}
	return tmpl
}

// commonName names a certificate for humans; vr reads the URI SAN.
func commonName(id auth.Identity) string {
	if id.IsReplica() {
		return fmt.Sprintf("vr replica %d (cluster %d)", id.Replica, id.Cluster)
	}
	return fmt.Sprintf("vr client %s (cluster %d)", id.Role, id.Cluster)
}

// sign creates the certificate of tmpl, signed by parent's key.
func sign(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func keyPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
