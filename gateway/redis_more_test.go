package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisScan walks SCAN MATCH prefix* COUNT n with go-redis's
// iterator: every key of the prefix exactly once, no other key.
func TestGoRedisScan(t *testing.T) {
	e := startEnv(t, nil)
	rdb, ctx := e.redisClient(t), ctxT(t)
	var want []string
	for i := range 25 {
		k := fmt.Sprintf("s:%02d", i)
		want = append(want, k)
		mustOK(t, rdb.Set(ctx, k, "v", 0).Err())
	}
	mustOK(t, rdb.MSet(ctx, "r:1", "x", "t:1", "y").Err())
	var got []string
	iter := rdb.Scan(ctx, 0, "s:*", 7).Iterator()
	for iter.Next(ctx) {
		got = append(got, iter.Val())
	}
	mustOK(t, iter.Err())
	if !slices.Equal(got, want) {
		t.Fatalf("SCAN MATCH s:* gave %v", got)
	}
	keys, cursor, err := rdb.Scan(ctx, 0, "", 1000).Result()
	if err != nil || cursor != 0 || len(keys) != 27 {
		t.Fatalf("SCAN all: %d keys, cursor %d, %v", len(keys), cursor, err)
	}
	if err := rdb.Scan(ctx, 0, "s:*:x", 10).Err(); err == nil || !strings.Contains(err.Error(), "prefix") {
		t.Fatalf("SCAN with a glob inside: %v", err)
	}
	if err := rdb.Scan(ctx, 99999, "", 10).Err(); err == nil || !strings.Contains(err.Error(), "invalid cursor") {
		t.Fatalf("SCAN of an unknown cursor: %v", err)
	}
}

// casCheck exercises VRGET and VRCAS; it fails if a stale version
// overwrites a newer value.
func casCheck(ctx context.Context, rdb *redis.Client) error {
	if err := rdb.Set(ctx, "c", "one", 0).Err(); err != nil {
		return err
	}
	got, err := rdb.Do(ctx, "VRGET", "c").Slice()
	if err != nil || len(got) != 2 || got[0] != "one" {
		return fmt.Errorf("VRGET: %v %v", got, err)
	}
	v1 := got[1].(int64)
	v2, err := rdb.Do(ctx, "VRCAS", "c", v1, "two").Int64()
	if err != nil || v2 <= v1 {
		return fmt.Errorf("VRCAS with the current version: %d %v", v2, err)
	}
	err = rdb.Do(ctx, "VRCAS", "c", v1, "three").Err()
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("MISMATCH current version is %d", v2)) {
		return fmt.Errorf("VRCAS with a stale version: %v, want MISMATCH naming %d", err, v2)
	}
	if err := rdb.Do(ctx, "VRCAS", "new", 0, "x").Err(); err != nil {
		return fmt.Errorf("VRCAS 0 creates: %v", err)
	}
	if v, err := rdb.Get(ctx, "c").Result(); v != "two" || err != nil {
		return fmt.Errorf("after a refused VRCAS: %q %v", v, err)
	}
	if err := rdb.Do(ctx, "VRGET", "absent").Err(); !errors.Is(err, redis.Nil) {
		return fmt.Errorf("VRGET absent: %v", err)
	}
	return nil
}

func TestGoRedisVRCAS(t *testing.T) {
	e := startEnv(t, nil)
	if err := casCheck(ctxT(t), e.redisClient(t)); err != nil {
		t.Fatal(err)
	}
}

// TestVRCASCheckCatchesBlindCAS plants a CAS that ignores the version.
func TestVRCASCheckCatchesBlindCAS(t *testing.T) {
	e := startEnv(t, withBlindCAS)
	if err := casCheck(ctxT(t), e.redisClient(t)); err == nil {
		t.Fatal("the VRCAS check passed over a CAS that ignores versions")
	}
}

// TestGoRedisReadOnlyAndRefusals: READONLY switches a connection to
// stale reads; transactions, expiry and oversized input are refused in
// Redis's error format, and the connection goes on working.
func TestGoRedisReadOnlyAndRefusals(t *testing.T) {
	e := startEnv(t, nil)
	ctx := ctxT(t)
	ro := e.redisClient(t, func(o *redis.Options) {
		o.OnConnect = func(ctx context.Context, cn *redis.Conn) error { return cn.ReadOnly(ctx).Err() }
	})
	mustOK(t, e.redisClient(t).Set(ctx, "k", "v", 0).Err())
	if info := ro.Info(ctx, "replication").Val(); !strings.Contains(info, "vr_read_mode:stale") {
		t.Fatalf("READONLY connection's INFO: %q", info)
	}
	for { // a stale read may lag: wait for the write to show
		if v, err := ro.Get(ctx, "k").Result(); v == "v" {
			break
		} else if ctx.Err() != nil {
			t.Fatalf("stale read never saw the write: %v", err)
		}
	}
	rdb := e.redisClient(t)
	refusals := map[string]error{
		"not supported":   rdb.Watch(ctx, func(*redis.Tx) error { return nil }, "k"),
		"expiry":          rdb.Set(ctx, "k", "v", 1e9).Err(),
		"unknown command": rdb.Do(ctx, "LPUSH", "l", "x").Err(),
		"value too large": rdb.Set(ctx, "k", strings.Repeat("x", 1<<20+1), 0).Err(),
		"empty keys":      rdb.Set(ctx, "", "v", 0).Err(),
		"DB index":        rdb.Do(ctx, "SELECT", 1).Err(),
		"wrong number":    rdb.Do(ctx, "GET").Err(),
	}
	for want, err := range refusals {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error containing %q, got %v", want, err)
		}
	}
	// Above 1.5 × the 4 MiB request limit, the gateway answers an error
	// and closes the connection before the request is complete; the client
	// may see the reply or, still writing, the connection reset. Without
	// the limit it would read it all and answer "value too large".
	err := rdb.Set(ctx, "k", strings.Repeat("x", 20<<20), 0).Err()
	if err == nil || !(strings.Contains(err.Error(), "request too large") || strings.Contains(err.Error(), "reset by peer") ||
		strings.Contains(err.Error(), "broken pipe")) {
		t.Errorf("a 20 MiB request: %v", err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); v != "v" || err != nil {
		t.Fatalf("after the refusals: %q %v", v, err)
	}
}
