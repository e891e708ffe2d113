package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vr-go/vr/internal/testcluster"
)

func TestGatewayRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"gateway", "--cluster", "127.0.0.1:1"},
		{"gateway", "--cluster", "127.0.0.1:1", "--redis-addr", "127.0.0.1:0", "--gateway-read-mode", "stale"},
		{"gateway", "--cluster", "", "--redis-addr", "127.0.0.1:0"},
	} {
		if out, code := runVR(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, out)
		}
	}
}

// TestGatewayCommand runs `vr gateway` against a cluster and talks Redis
// and HTTP to it until its context ends.
func TestGatewayCommand(t *testing.T) {
	c, err := testcluster.Start(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	addrs, err := testcluster.FreeAddrs(2)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gctx, stop := context.WithCancel(ctx)
	root := newRootCmd()
	root.SetArgs([]string{"gateway", "--cluster", strings.Join(c.Addrs, ","), "--redis-addr", addrs[0],
		"--http-addr", addrs[1], "--log-level", "error"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(gctx) }()
	rdb := redis.NewClient(&redis.Options{Addr: addrs[0]})
	defer rdb.Close()
	for rdb.Set(ctx, "k", "v", 0).Err() != nil { // until the gateway listens
		if ctx.Err() != nil {
			t.Fatal("the gateway never answered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addrs[1] + "/v1/kv/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "v" {
		t.Fatalf("HTTP GET of a key set through Redis: %d %q", resp.StatusCode, body)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("vr gateway returned %v", err)
	}
}

func TestWithKVAPIRoutesByPrefix(t *testing.T) {
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, name) })
	}
	h := withKVAPI(named("status"), named("api"))
	for path, want := range map[string]string{"/status": "status", "/": "status", "/v1/kv/a%2F%2Fb": "api", "/v1/kv?prefix=a": "api"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s went to %q, want %q", path, rec.Body.String(), want)
		}
	}
	rec := httptest.NewRecorder()
	withKVAPI(named("status"), nil).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/kv/a", nil))
	if rec.Body.String() != "status" {
		t.Fatalf("without an API, /v1/ went to %q", rec.Body.String())
	}
}
