package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/vr-go/vr/auth"
)

// serverTLS loads the replica's certificate and checks that it is replica
// --index of --cluster-id. Without TLS flags it refuses a listen address
// other than loopback unless --insecure is given. It logs one line saying
// how the replica is secured.
func (f serverFlags) serverTLS(listen string, logger *slog.Logger) (*auth.Source, error) {
	src, err := f.tls.source()
	if err != nil {
		return nil, err
	}
	switch {
	case src != nil && f.insecure:
		return nil, usageError{fmt.Errorf("--insecure and --tls-cert contradict each other: pick one")}
	case src != nil:
		return src, f.checkReplicaCert(src, logger)
	case f.insecure:
		logger.Warn("INSECURE: no TLS (--insecure): anyone who reaches " + listen +
			" can read and write every key and forge protocol messages; use --tls-cert, --tls-key and --tls-ca")
	case !isLoopback(listen):
		return nil, usageError{fmt.Errorf("refusing to listen on %s without TLS: pass --tls-cert, --tls-key and --tls-ca "+
			"(vr certs init makes development certificates), or --insecure to run unprotected", listen)}
	default:
		logger.Info("no TLS: plaintext, on a loopback address only (pass --tls-cert, --tls-key and --tls-ca to secure it)")
	}
	return nil, nil
}

// checkReplicaCert checks that the certificate is this replica's.
func (f serverFlags) checkReplicaCert(src *auth.Source, logger *slog.Logger) error {
	want := auth.ReplicaIdentity(f.clusterID, f.index)
	if id := src.Identity(); id != want {
		return usageError{fmt.Errorf("--tls-cert is %s, but this replica is %s", id, want)}
	}
	logger.Info("mutual TLS on every connection", "identity", want.String(),
		"serial", src.Serial(), "not_after", src.NotAfter())
	return nil
}

// reloadOnHangup reloads the certificate, key and CA files on every
// SIGHUP until ctx ends: new connections use them, open ones go on. A
// failed reload keeps the previous certificate.
func reloadOnHangup(ctx context.Context, src *auth.Source, logger *slog.Logger) {
	if src == nil {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			if err := src.Reload(); err != nil {
				logger.Error("SIGHUP: certificate reload failed; keeping the previous one", "err", err)
				continue
			}
			logger.Info("SIGHUP: certificates reloaded", "serial", src.Serial(), "not_after", src.NotAfter())
		}
	}()
}
