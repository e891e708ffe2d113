package gateway_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/gateway"
	"github.com/vr-go/vr/internal/testcluster"
)

// env is a 3-replica in-process cluster with a gateway in front of it.
type env struct {
	cluster   *testcluster.Cluster
	client    *client.Client
	redisAddr string
	httpURL   string
}

// startEnv starts the cluster and both gateways; edit adjusts the
// gateway's configuration (a test may swap the Store).
func startEnv(t *testing.T, edit func(*gateway.Config)) *env {
	t.Helper()
	c, err := testcluster.Start(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.DialConfig(ctx, client.Config{Addrs: c.Addrs, RetryInterval: 50 * time.Millisecond, Sessions: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	stale, err := cl.Reader(client.ReadStale)
	if err != nil {
		t.Fatal(err)
	}
	cfg := gateway.Config{Store: cl, Stale: stale, View: cl.View, Replicas: c.Addrs, Timeout: 5 * time.Second}
	if edit != nil {
		edit(&cfg)
	}
	e := &env{cluster: c, client: cl}
	e.redisAddr = serveRedis(t, cfg)
	e.httpURL = serveHTTP(t, cfg)
	return e
}

// serveRedis runs a Redis gateway on a loopback port until the test ends.
func serveRedis(t *testing.T, cfg gateway.Config) string {
	t.Helper()
	srv, err := gateway.NewRedisServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("redis gateway: %v", err)
		}
	})
	return ln.Addr().String()
}

// serveHTTP runs the HTTP gateway on a loopback port until the test ends.
func serveHTTP(t *testing.T, cfg gateway.Config) string {
	t.Helper()
	h, err := gateway.NewHTTPHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := gateway.NewHTTPServer(h)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("http gateway: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// redisClient is a go-redis client of the gateway (RESP3 by default, as
// go-redis v9 connects).
func (e *env) redisClient(t *testing.T, opts ...func(*redis.Options)) *redis.Client {
	t.Helper()
	o := &redis.Options{Addr: e.redisAddr, MaxRetries: -1, ReadTimeout: 10 * time.Second, PoolSize: 64}
	for _, f := range opts {
		f(o)
	}
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
