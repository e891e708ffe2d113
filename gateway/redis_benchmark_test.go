package gateway_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// benchCheck runs a short redis-benchmark of SET, GET and INCR with
// concurrent connections, then checks that every INCR counted: the
// benchmark increments one key, "counter:__rand_int__", n times.
func benchCheck(ctx context.Context, bench, addr string, rdb *redis.Client) (string, error) {
	const n = 2000
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.CommandContext(ctx, bench, "-h", host, "-p", port, "-t", "set,get,incr",
		"-n", fmt.Sprint(n), "-c", "20", "-q").CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("redis-benchmark: %v", err)
	}
	for _, test := range []string{"SET", "GET", "INCR"} {
		if !strings.Contains(string(out), test+": ") || !strings.Contains(string(out), "requests per second") {
			return string(out), fmt.Errorf("redis-benchmark reported no %s figure", test)
		}
	}
	got, err := rdb.Get(ctx, "counter:__rand_int__").Int()
	if err != nil || got != n {
		return string(out), fmt.Errorf("after %d INCRs from 20 connections the counter is %d (%v)", n, got, err)
	}
	return string(out), nil
}

// TestRedisBenchmark runs redis-benchmark against the gateway.
func TestRedisBenchmark(t *testing.T) {
	bench := tool(t, "redis-benchmark", "redis-tools")
	e := startEnv(t, nil)
	out, err := benchCheck(ctxT(t), bench, e.redisAddr, e.redisClient(t))
	t.Logf("redis-benchmark:\n%s", out)
	if err != nil {
		t.Fatal(err)
	}
}

// TestRedisBenchmarkCatchesReadModifyWrite: the same check over INCR as
// read-modify-write sees lost increments.
func TestRedisBenchmarkCatchesReadModifyWrite(t *testing.T) {
	bench := tool(t, "redis-benchmark", "redis-tools")
	e := startEnv(t, withRMWIncr)
	if _, err := benchCheck(ctxT(t), bench, e.redisAddr, e.redisClient(t)); err == nil {
		t.Fatal("redis-benchmark's INCRs all counted over a read-modify-write INCR")
	}
}
