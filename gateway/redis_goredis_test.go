package gateway_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisCommands drives the gateway with go-redis v9, over RESP3
// (go-redis's default, through HELLO 3) and RESP2.
func TestGoRedisCommands(t *testing.T) {
	e := startEnv(t, nil)
	for _, proto := range []int{3, 2} {
		rdb := e.redisClient(t, func(o *redis.Options) { o.Protocol = proto; o.ClientName = "gw-test" })
		ctx := ctxT(t)
		p := func(k string) string { return string(rune('0'+proto)) + ":" + k }
		if got := rdb.Ping(ctx).Val(); got != "PONG" {
			t.Fatalf("resp%d ping: %q %v", proto, got, rdb.Ping(ctx).Err())
		}
		if err := rdb.Get(ctx, p("missing")).Err(); !errors.Is(err, redis.Nil) {
			t.Fatalf("resp%d get missing: %v", proto, err)
		}
		mustOK(t, rdb.Set(ctx, p("a"), "1", 0).Err())
		if v := rdb.Get(ctx, p("a")).Val(); v != "1" {
			t.Fatalf("resp%d get: %q", proto, v)
		}
		if ok := rdb.SetNX(ctx, p("a"), "2", 0).Val(); ok {
			t.Fatalf("resp%d SET NX overwrote", proto)
		}
		if ok := rdb.SetXX(ctx, p("nope"), "2", 0).Val(); ok {
			t.Fatalf("resp%d SET XX created", proto)
		}
		if old := rdb.SetArgs(ctx, p("a"), "3", redis.SetArgs{Get: true}).Val(); old != "1" {
			t.Fatalf("resp%d SET GET: old %q", proto, old)
		}
		mustOK(t, rdb.MSet(ctx, p("m1"), "x", p("m2"), "y").Err())
		vals := rdb.MGet(ctx, p("m1"), p("nope"), p("m2")).Val()
		if len(vals) != 3 || vals[0] != "x" || vals[1] != nil || vals[2] != "y" {
			t.Fatalf("resp%d MGET: %#v", proto, vals)
		}
		if n := rdb.Exists(ctx, p("m1"), p("m1"), p("nope")).Val(); n != 2 {
			t.Fatalf("resp%d EXISTS: %d", proto, n)
		}
		if n := rdb.Del(ctx, p("m1"), p("m2"), p("nope")).Val(); n != 2 {
			t.Fatalf("resp%d DEL: %d", proto, n)
		}
		if n := rdb.IncrBy(ctx, p("n"), 10).Val(); n != 10 {
			t.Fatalf("resp%d INCRBY: %d", proto, n)
		}
		if n := rdb.Decr(ctx, p("n")).Val(); n != 9 {
			t.Fatalf("resp%d DECR: %d", proto, n)
		}
		mustOK(t, rdb.Set(ctx, p("text"), "abc", 0).Err())
		if err := rdb.Incr(ctx, p("text")).Err(); err == nil || !strings.Contains(err.Error(), "not an integer") {
			t.Fatalf("resp%d INCR of text: %v", proto, err)
		}
		if name := rdb.ClientGetName(ctx).Val(); name != "gw-test" {
			t.Fatalf("resp%d client name %q", proto, name)
		}
		info := rdb.Info(ctx, "replication").Val()
		if !strings.Contains(info, "vr_view:") || !strings.Contains(info, "vr_primary:127.0.0.1:") {
			t.Fatalf("resp%d INFO replication: %q", proto, info)
		}
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
