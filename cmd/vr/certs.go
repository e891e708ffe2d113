package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/internal/certs"
)

// certsFlags are the flags of `vr certs init`.
type certsFlags struct {
	dir       string
	replicas  int
	clusterID uint64
	hosts     []string
	force     bool
}

func init() { register(newCertsCmd) }

func newCertsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "certs",
		Short: "Make development certificates for mutual TLS",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCertsInitCmd())
	return cmd
}

func newCertsInitCmd() *cobra.Command {
	var f certsFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Make a development CA, a certificate per replica and one per client role",
		Long: `init makes, in --dir, a development certificate authority (ca.crt, ca.key),
a certificate for every replica (replica-<i>.crt/.key, identity
vr://cluster/<id>/replica/<i>, valid for --hosts too) and one client
certificate per role (client-read, client-write, client-admin: identity
vr://cluster/<id>/client/<role>), all ECDSA P-256, valid for a year.

For development and tests: in production, issue the same identities from
your own CA (see docs/operations.md, "Securing a cluster").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			return runCertsInit(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "directory to write the CA and certificates to (created if missing)")
	fl.IntVar(&f.replicas, "replicas", 3, "number of replica certificates (replica-0 ... replica-<n-1>)")
	fl.Uint64Var(&f.clusterID, "cluster-id", 0, "the cluster's id (the servers' --cluster-id)")
	fl.StringSliceVar(&f.hosts, "hosts", nil, "host names or IPs added to every replica certificate (default 127.0.0.1,::1,localhost)")
	fl.BoolVar(&f.force, "force", false, "replace an existing CA in --dir")
	return cmd
}

func runCertsInit(w io.Writer, f certsFlags) error {
	if f.dir == "" {
		return usageError{fmt.Errorf("--dir is required")}
	}
	if f.replicas < 1 || f.replicas > 254 {
		return usageError{fmt.Errorf("--replicas %d: want 1 to 254", f.replicas)}
	}
	_, err := certs.InitDir(f.dir, certs.InitOptions{Replicas: f.replicas, ClusterID: f.clusterID, Hosts: f.hosts, Force: f.force})
	if err != nil {
		return err
	}
	r0 := certs.ReplicaFiles(f.dir, 0)
	cw := certs.ClientFiles(f.dir, auth.RoleWrite)
	fmt.Fprintf(w, "wrote a development CA, %d replica certificates and client certificates for roles %s to %s\n",
		f.replicas, strings.Join([]string{"read", "write", "admin"}, ", "), f.dir)
	fmt.Fprintf(w, "replica 0:  vr server --index 0 ... --tls-cert %s --tls-key %s --tls-ca %s\n", r0.Cert, r0.Key, r0.CA)
	fmt.Fprintf(w, "a client:   vr get KEY --tls-cert %s --tls-key %s --tls-ca %s\n", cw.Cert, cw.Key, cw.CA)
	fmt.Fprintf(w, "keep %s secret: it signs certificates this cluster trusts\n", certs.CAKeyFile)
	return nil
}
