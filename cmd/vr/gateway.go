package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/gateway"
)

// gatewayFlags configure the Redis and HTTP gateways, in `vr gateway` and
// in `vr server`.
type gatewayFlags struct {
	redisAddr, httpAddr string
	readMode            string
	staleReads          bool
	timeout             time.Duration
	sessions            int
	maxConns            int
}

func (g *gatewayFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&g.redisAddr, "redis-addr", "", "serve the Redis protocol on this address (empty: off)")
	fl.StringVar(&g.httpAddr, "http-addr", "", "serve the HTTP/JSON API (/v1/kv) on this address (empty: off)")
	fl.StringVar(&g.readMode, "gateway-read-mode", string(client.ReadLease),
		"gateways' linearizable read path: lease (the primary under its read lease) or log (through the log)")
	fl.BoolVar(&g.staleReads, "gateway-stale-reads", true,
		"let a caller ask for stale reads from any replica (Redis READONLY, HTTP ?stale=1); false refuses them")
	fl.DurationVar(&g.timeout, "gateway-timeout", 5*time.Second, "bound on one gateway command's wait for the cluster")
	fl.IntVar(&g.sessions, "gateway-sessions", 256, "the gateway's client sessions: its concurrent cluster calls (see --max-sessions)")
	fl.IntVar(&g.maxConns, "redis-max-conns", 10_000, "Redis connections open at once")
}

func (g gatewayFlags) enabled() bool { return g.redisAddr != "" || g.httpAddr != "" }

func init() { register(newGatewayCmd) }

func newGatewayCmd() *cobra.Command {
	var f clusterFlags
	var g gatewayFlags
	var logLevel, logFormat string
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "Serve the Redis protocol and an HTTP/JSON API in front of a cluster",
		Long: `gateway is a client of the cluster (the Go client library) that speaks the
Redis protocol (--redis-addr) and HTTP/JSON (--http-addr) to clients that do
not speak vr's, such as redis-cli, go-redis or curl. It keeps no data: run as
many as you like, anywhere. Reads are linearizable unless a caller asks for
stale ones. See docs/operations.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			logger, err := newLogger(logLevel, logFormat)
			if err != nil {
				return usageError{err}
			}
			return runGateway(cmd.Context(), f, g, logger)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.cluster, "cluster", "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003,127.0.0.1:8004",
		"every replica's host:port, comma-separated, in configuration order (env VR_CLUSTER)")
	fl.Uint64Var(&f.clusterID, "cluster-id", 0, "the cluster's id (env VR_CLUSTER_ID)")
	g.register(fl)
	f.tls.register(cmd, "the gateway's client")
	fl.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&logFormat, "log-format", "text", "text or json")
	return cmd
}

// runGateway dials the cluster and serves until SIGINT or SIGTERM.
func runGateway(ctx context.Context, f clusterFlags, g gatewayFlags, logger *slog.Logger) error {
	if !g.enabled() {
		return usageError{errors.New("nothing to serve: give --redis-addr, --http-addr or both")}
	}
	addrs, tlsCfg, err := f.target()
	if err != nil {
		return err
	}
	if tlsCfg != nil {
		logger.Warn("gateway: its Redis and HTTP listeners have no TLS and no roles: whoever reaches them acts with this gateway's certificate; bind them to loopback or a trusted network")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg, closeClient, err := dialGateway(ctx, addrs, f.clusterID, g, tlsCfg, logger)
	if err != nil {
		return err
	}
	defer closeClient()
	if err := startGateways(ctx, cfg, g, logger); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// dialGateway dials the cluster and returns the gateways' configuration.
func dialGateway(ctx context.Context, addrs []string, clusterID uint64, g gatewayFlags, tlsCfg *tls.Config, logger *slog.Logger) (gateway.Config, func(), error) {
	mode := client.ReadMode(g.readMode)
	if mode != client.ReadLease && mode != client.ReadLog {
		return gateway.Config{}, nil, usageError{fmt.Errorf("bad --gateway-read-mode %q: use lease or log (stale reads are per caller)", g.readMode)}
	}
	cl, err := dialUntilUp(ctx, client.Config{Addrs: addrs, ClusterID: clusterID, Sessions: g.sessions,
		ReadMode: mode, Logger: logger, TLS: tlsCfg}, logger)
	if err != nil {
		return gateway.Config{}, nil, err
	}
	cfg := gateway.Config{Store: cl, View: cl.View, Replicas: addrs, Timeout: g.timeout, MaxConns: g.maxConns, Logger: logger}
	if g.staleReads {
		cfg.Stale, _ = cl.Reader(client.ReadStale)
	}
	return cfg, func() { cl.Close() }, nil
}

// dialUntilUp dials the cluster, again every half second while no
// replica accepts (a gateway may start before the replicas do), until ctx
// ends.
func dialUntilUp(ctx context.Context, cfg client.Config, logger *slog.Logger) (*client.Client, error) {
	for {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		cl, err := client.DialConfig(dctx, cfg)
		cancel()
		switch {
		case err == nil:
			return cl, nil
		case errors.Is(err, client.ErrBadConfig):
			return nil, usageError{err}
		}
		logger.Warn("gateway: no replica reachable yet; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", errUnavailable, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// startGateways listens on the addresses given and serves until ctx ends.
func startGateways(ctx context.Context, cfg gateway.Config, g gatewayFlags, logger *slog.Logger) error {
	if g.redisAddr != "" {
		srv, err := gateway.NewRedisServer(cfg)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", g.redisAddr)
		if err != nil {
			return fmt.Errorf("redis gateway cannot listen: %w", err)
		}
		go func() {
			if err := srv.Serve(ctx, ln); err != nil {
				logger.Error("redis gateway failed", "err", err)
			}
		}()
		logger.Info("redis gateway", "addr", ln.Addr().String())
	}
	if g.httpAddr != "" {
		h, err := gateway.NewHTTPHandler(cfg)
		if err != nil {
			return err
		}
		if err := serveHTTP(ctx, g.httpAddr, h, logger); err != nil {
			return err
		}
	}
	return nil
}

// serveHTTP serves h on addr, with the gateway's timeouts, until ctx ends.
func serveHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http gateway cannot listen: %w", err)
	}
	serveUntilDone(ctx, gateway.NewHTTPServer(h), ln, "http gateway", logger)
	logger.Info("http gateway", "url", "http://"+ln.Addr().String()+"/v1/kv")
	return nil
}

// withKVAPI routes the HTTP API's paths (/v1/) to api and everything else
// to status: how `vr server` serves the API on its status address. It
// routes by prefix, not through a ServeMux, so that no key is cleaned.
func withKVAPI(status, api http.Handler) http.Handler {
	if api == nil {
		return status
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			api.ServeHTTP(w, r)
			return
		}
		status.ServeHTTP(w, r)
	})
}

// startServerGateways runs, inside `vr server`, the gateways its flags ask
// for, over a client of its own cluster, and returns the HTTP API for the
// status address (nil if --status-kv-api is off).
func startServerGateways(ctx context.Context, f serverFlags, peers []string, logger *slog.Logger) (http.Handler, error) {
	withStatus := f.statusKV && f.statusAddr != "off"
	if f.tls.files().Configured() {
		// The in-process gateways and the status address speak plaintext
		// without roles: under TLS they would let anyone around both.
		if f.gw.enabled() {
			return nil, usageError{errors.New("--redis-addr and --http-addr have no TLS and no roles: under TLS run `vr gateway` with a client certificate instead")}
		}
		withStatus = false
	}
	if !f.gw.enabled() && !withStatus {
		return nil, nil
	}
	cfg, closeClient, err := dialGateway(ctx, peers, f.clusterID, f.gw, nil, logger)
	if err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		closeClient()
	}()
	if err := startGateways(ctx, cfg, f.gw, logger); err != nil {
		return nil, err
	}
	if !withStatus {
		return nil, nil
	}
	return gateway.NewHTTPHandler(cfg)
}
