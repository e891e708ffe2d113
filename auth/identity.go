package auth

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Scheme is the URI scheme of identities in certificates.
const Scheme = "vr"

// Identity is who a certificate speaks for: replica Replica of Cluster, or
// (Replica < 0) a client with Role.
type Identity struct {
	Cluster uint64
	Replica int
	Role    Role
}

// ReplicaIdentity is replica index of cluster.
func ReplicaIdentity(cluster uint64, index int) Identity {
	return Identity{Cluster: cluster, Replica: index}
}

// ClientIdentity is a client of cluster with role.
func ClientIdentity(cluster uint64, role Role) Identity {
	return Identity{Cluster: cluster, Replica: -1, Role: role}
}

// IsReplica reports whether id is a replica's identity.
func (id Identity) IsReplica() bool { return id.Replica >= 0 }

// URI returns the identity as the URI SAN a certificate carries.
func (id Identity) URI() *url.URL {
	kind, name := "client", id.Role.String()
	if id.IsReplica() {
		kind, name = "replica", strconv.Itoa(id.Replica)
	}
	return &url.URL{Scheme: Scheme, Host: "cluster",
		Path: "/" + strconv.FormatUint(id.Cluster, 10) + "/" + kind + "/" + name}
}

// String returns the identity's URI.
func (id Identity) String() string { return id.URI().String() }

// ParseURI parses an identity URI.
func ParseURI(u *url.URL) (Identity, error) {
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if u.Scheme != Scheme || u.Host != "cluster" || len(parts) != 3 || u.RawQuery != "" {
		return Identity{}, fmt.Errorf("%w: %q is not vr://cluster/<id>/replica/<i> or vr://cluster/<id>/client/<role>", ErrNoIdentity, u)
	}
	cluster, err := strconv.ParseUint(parts[0], 10, 64)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %q: bad cluster id", ErrNoIdentity, u)
	}
	switch parts[1] {
	case "replica":
		i, err := strconv.ParseUint(parts[2], 10, 8)
		if err != nil || i == 255 {
			return Identity{}, fmt.Errorf("%w: %q: bad replica index", ErrNoIdentity, u)
		}
		return ReplicaIdentity(cluster, int(i)), nil
	case "client":
		r, err := ParseRole(parts[2])
		if err != nil {
			return Identity{}, fmt.Errorf("%q: %w", u, err)
		}
		return ClientIdentity(cluster, r), nil
	}
	return Identity{}, fmt.Errorf("%w: %q: neither replica nor client", ErrNoIdentity, u)
}

// IdentityOf returns the identity of a certificate: its one vr:// URI SAN.
// It does not verify the certificate.
func IdentityOf(cert *x509.Certificate) (Identity, error) {
	var found []*url.URL
	for _, u := range cert.URIs {
		if u.Scheme == Scheme {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		return Identity{}, fmt.Errorf("%w: certificate %q has %d vr:// URI SANs, want 1", ErrNoIdentity, cert.Subject.CommonName, len(found))
	}
	return ParseURI(found[0])
}

// identityIn returns the identity of cert and checks that it belongs to
// cluster.
func identityIn(cert *x509.Certificate, cluster uint64) (Identity, error) {
	id, err := IdentityOf(cert)
	if err != nil {
		return id, err
	}
	if id.Cluster != cluster {
		return id, fmt.Errorf("%w: %s, this is cluster %d", ErrWrongCluster, id, cluster)
	}
	return id, nil
}
