package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/internal/certs"
)

// useTLS makes development certificates in the demo's directory and
// starts the replicas with them (--tls).
func (c *demoCluster) useTLS() error {
	dir := filepath.Join(c.LogDir, "certs")
	if _, err := certs.InitDir(dir, certs.InitOptions{Replicas: len(c.Addrs)}); err != nil {
		return fmt.Errorf("demo certificates: %w", err)
	}
	c.TLSDir = dir
	return nil
}

// clientTLS is the TLS configuration of a demo client with role, or nil
// without --tls.
func (c *demoCluster) clientTLS(role auth.Role) (*tls.Config, error) {
	if c.TLSDir == "" {
		return nil, nil
	}
	src, err := auth.Load(certs.ClientFiles(c.TLSDir, role))
	if err != nil {
		return nil, err
	}
	return src.DialConfig(0, nil), nil
}

// showTLS demonstrates, with --tls, what the certificates protect: a
// read-only client's write is refused, and a plaintext client gets
// nothing. Both fail the demo if they succeed.
func (d *demo) showTLS(ctx context.Context) error {
	if d.cl.TLSDir == "" {
		return nil
	}
	d.ui.explain("Mutual TLS 1.3 on every link; certificates from `vr certs init` in %s", d.cl.TLSDir)
	if err := d.tryWrite(ctx, auth.RoleRead, "a read-only client"); !errors.Is(err, client.ErrPermissionDenied) {
		return fmt.Errorf("a read-only client's put: %v, want permission denied", err)
	}
	d.ui.ok("a client with a read-only certificate tried a put: refused, nothing written")
	if err := d.tryWrite(ctx, auth.RoleNone, "a plaintext client"); err == nil {
		return errors.New("a plaintext client wrote to the TLS cluster")
	}
	d.ui.ok("a plaintext client tried a put: no answer, nothing written (each replica logs it once)")
	return nil
}

// tryWrite puts a key as a client with role (RoleNone: plaintext) and
// returns the error.
func (d *demo) tryWrite(ctx context.Context, role auth.Role, who string) error {
	var cfg *tls.Config
	if role != auth.RoleNone {
		var err error
		if cfg, err = d.cl.clientTLS(role); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := client.DialConfig(ctx, client.Config{Addrs: d.cl.Addrs, Sessions: 1, TLS: cfg})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Put(ctx, []byte("intruder"), []byte(who))
	return err
}
