package certs

import (
	"crypto/ecdsa"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vr-go/vr/auth"
)

// ErrExists: the directory already holds a CA, which init will not
// replace unless forced.
var ErrExists = errors.New("certs: directory already holds a CA")

// InitOptions are the parameters of InitDir.
type InitOptions struct {
	Replicas  int
	ClusterID uint64
	// Hosts are added to every replica certificate (default 127.0.0.1,
	// ::1 and localhost).
	Hosts []string
	// Force replaces an existing CA and certificates.
	Force bool
}

// File names inside a directory made by InitDir.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// ReplicaFiles are the files of replica i in dir.
func ReplicaFiles(dir string, i int) auth.Files {
	return files(dir, "replica-"+strconv.Itoa(i))
}

// ClientFiles are the files of the client certificate of role in dir.
func ClientFiles(dir string, role auth.Role) auth.Files {
	return files(dir, "client-"+role.String())
}

func files(dir, name string) auth.Files {
	return auth.Files{Cert: filepath.Join(dir, name+".crt"), Key: filepath.Join(dir, name+".key"),
		CA: filepath.Join(dir, CACertFile)}
}

// InitDir makes a development CA in dir, a certificate for every replica
// and one per client role, and returns the CA.
func InitDir(dir string, opts InitOptions) (*CA, error) {
	if opts.Replicas < 1 || opts.Replicas > 254 {
		return nil, fmt.Errorf("certs: %d replicas, want 1 to 254", opts.Replicas)
	}
	if len(opts.Hosts) == 0 {
		opts.Hosts = []string{"127.0.0.1", "::1", "localhost"}
	}
	if _, err := os.Stat(filepath.Join(dir, CACertFile)); err == nil && !opts.Force {
		return nil, fmt.Errorf("%w: %s (pass --force to replace it)", ErrExists, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ca, err := NewCA(fmt.Sprintf("vr development CA (cluster %d)", opts.ClusterID))
	if err != nil {
		return nil, err
	}
	if err := writeCA(dir, ca); err != nil {
		return nil, err
	}
	for i := range opts.Replicas {
		spec := Spec{Identity: auth.ReplicaIdentity(opts.ClusterID, i), Hosts: opts.Hosts}
		if err := ca.IssueTo(ReplicaFiles(dir, i), spec); err != nil {
			return nil, err
		}
	}
	for _, r := range auth.Roles() {
		if err := ca.IssueTo(ClientFiles(dir, r), Spec{Identity: auth.ClientIdentity(opts.ClusterID, r)}); err != nil {
			return nil, err
		}
	}
	return ca, nil
}

// writeCA writes the CA's certificate and key into dir.
func writeCA(dir string, ca *CA) error {
	kp, err := ca.KeyPEM()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, CACertFile), ca.CertPEM(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, CAKeyFile), kp, 0o600)
}

// IssueTo issues a certificate for spec and writes it and its key to
// f.Cert and f.Key (f.CA is not written). Each file is replaced
// atomically (rename), so a reloading server never reads half a file.
func (ca *CA) IssueTo(f auth.Files, spec Spec) error {
	leaf, err := ca.Issue(spec)
	if err != nil {
		return err
	}
	if err := writeAtomic(f.Key, leaf.KeyPEM, 0o600); err != nil {
		return err
	}
	return writeAtomic(f.Cert, leaf.CertPEM, 0o644)
}

// writeAtomic writes data to a temporary file beside path and renames it.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// LoadCA reads the CA that InitDir wrote into dir, to issue more
// certificates (rotation, new clients) signed by it.
func LoadCA(dir string) (*CA, error) {
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, fmt.Errorf("certs: CA in %s: %w", dir, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("certs: CA key in %s is not ECDSA", dir)
	}
	return &CA{Cert: pair.Leaf, Key: key}, nil
}
