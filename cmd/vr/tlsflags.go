package main

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/auth"
)

// tlsFlags are --tls-cert, --tls-key and --tls-ca, shared by the server
// and every command that dials a replica.
type tlsFlags struct {
	cert, key, ca string
}

func (f *tlsFlags) register(cmd *cobra.Command, whose string) {
	fl := cmd.Flags()
	fl.StringVar(&f.cert, "tls-cert", "", whose+" certificate (PEM) for mutual TLS; with --tls-key and --tls-ca (env VR_TLS_CERT)")
	fl.StringVar(&f.key, "tls-key", "", "the private key of --tls-cert (PEM) (env VR_TLS_KEY)")
	fl.StringVar(&f.ca, "tls-ca", "", "the cluster's CA certificates (PEM) to verify peers against (env VR_TLS_CA)")
}

func (f *tlsFlags) files() auth.Files { return auth.Files{Cert: f.cert, Key: f.key, CA: f.ca} }

// source loads the certificate, or returns nil when no TLS flag is set.
func (f *tlsFlags) source() (*auth.Source, error) {
	if !f.files().Configured() {
		return nil, nil
	}
	src, err := auth.Load(f.files())
	if err != nil {
		return nil, usageError{err}
	}
	return src, nil
}

// clientConfig is the TLS configuration of a client of cluster, or nil
// without TLS flags. The certificate must be a client's.
func (f *tlsFlags) clientConfig(cluster uint64) (*tls.Config, error) {
	src, err := f.source()
	if src == nil || err != nil {
		return nil, err
	}
	if id := src.Identity(); id.IsReplica() || id.Cluster != cluster {
		return nil, usageError{fmt.Errorf("--tls-cert is %s, not a client certificate of cluster %d (see vr certs init)", id, cluster)}
	}
	return src.DialConfig(cluster, nil), nil
}

// isLoopback reports whether a listen address only accepts connections
// from this machine: a loopback IP or "localhost". An empty host (every
// interface) is not.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
