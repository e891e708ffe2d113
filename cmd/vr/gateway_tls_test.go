package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestInProcessGatewaysOffUnderTLS checks that a replica under TLS neither
// serves the plaintext, role-less key-value API on its status address nor
// accepts the in-process Redis or HTTP gateways: they would let anyone
// around the certificates and roles. (Without the guard the first call
// dials the cluster, which is not there, and fails when ctx ends.)
func TestInProcessGatewaysOffUnderTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	peers := []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}
	var f serverFlags
	f.statusKV = true
	f.tls = tlsFlags{cert: "r.pem", key: "r.key", ca: "ca.pem"}
	api, err := startServerGateways(ctx, f, peers, slog.New(slog.DiscardHandler))
	if err != nil || api != nil {
		t.Fatalf("under TLS the status address got the kv API (%v, %v)", api, err)
	}
	f.gw.redisAddr = "127.0.0.1:0"
	if _, err := startServerGateways(ctx, f, peers, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "vr gateway") {
		t.Fatalf("--redis-addr under TLS: err = %v, want a refusal naming vr gateway", err)
	}
}
