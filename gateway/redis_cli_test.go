package gateway_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
)

// redisCLI runs redis-cli against addr with the commands on standard
// input, one a line, and returns what it printed.
func redisCLI(ctx context.Context, cli, addr string, extra []string, script string) (string, error) {
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(ctx, cli, append([]string{"-h", host, "-p", port}, extra...)...)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cliScript and cliWant are a redis-cli session and its exact output. The
// versions are those of a fresh cluster: k1 is the store's first write.
const cliScript = `PING
SET k1 hello
GET k1
VRGET k1
VRCAS k1 1 world
VRCAS k1 1 again
GET k1
SET k1 x NX
INCRBY n 5
DECR n
MSET a 1 b 2
MGET a nope b
EXISTS a b nope
DEL a b nope
SCAN 0 MATCH k* COUNT 10
MULTI
ECHO done
`

const cliWant = `PONG
OK
hello
hello
1
2
MISMATCH current version is 2
world

5
4
OK
1

2
2
2
0
k1
ERR transactions (MULTI/EXEC/WATCH) are not supported by vr's gateway: use VRCAS for atomic updates, MSET and MGET for several keys
done
`

// cliCheck runs the session with redis-cli's extra flags (-3: RESP3
// through HELLO 3) against a fresh cluster's gateway. Writing to a pipe,
// redis-cli prints a null as an empty line, and an empty line after an
// error.
func cliCheck(ctx context.Context, cli, addr string, extra ...string) error {
	want := strings.ReplaceAll(cliWant, "is 2\n", "is 2\n\n")
	want = strings.ReplaceAll(want, "several keys\n", "several keys\n\n")
	got, err := redisCLI(ctx, cli, addr, extra, cliScript)
	if err != nil {
		return fmt.Errorf("redis-cli %v: %v: %s", extra, err, got)
	}
	if got != want {
		return fmt.Errorf("redis-cli %v printed\n%s\nwant\n%s", extra, got, want)
	}
	return nil
}

// TestRedisCLI runs a redis-cli session against the gateway.
func TestRedisCLI(t *testing.T) {
	cli := tool(t, "redis-cli", "redis-tools")
	for _, proto := range []string{"-2", "-3"} {
		t.Run(proto, func(t *testing.T) {
			e := startEnv(t, nil)
			if err := cliCheck(ctxT(t), cli, e.redisAddr, proto); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRedisCLICheckCatchesBlindCAS plants a CAS that ignores versions.
func TestRedisCLICheckCatchesBlindCAS(t *testing.T) {
	cli := tool(t, "redis-cli", "redis-tools")
	e := startEnv(t, withBlindCAS)
	if err := cliCheck(ctxT(t), cli, e.redisAddr); err == nil {
		t.Fatal("the redis-cli check passed over a CAS that ignores versions")
	}
}
