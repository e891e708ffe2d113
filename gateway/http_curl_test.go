package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vr-go/vr/gateway"
)

// curlStep is one curl call and what must come back.
type curlStep struct {
	name   string
	args   []string // after the URL's base is substituted for {u}
	status int
	header map[string]string // exact values
	body   string            // substring
}

// curlSteps is the HTTP gateway's contract, as curl sees it.
func curlSteps(bigFile string) []curlStep {
	return []curlStep{
		{"put", []string{"-X", "PUT", "--data-binary", "hello", "{u}/v1/kv/greeting"}, 200, map[string]string{"ETag": `"1"`}, `"version":1`},
		{"get", []string{"{u}/v1/kv/greeting"}, 200, map[string]string{"ETag": `"1"`}, "hello"},
		{"get if-none-match", []string{"-H", `If-None-Match: "1"`, "{u}/v1/kv/greeting"}, 304, nil, ""},
		{"cas stale version", []string{"-X", "PUT", "-H", `If-Match: "7"`, "--data-binary", "x", "{u}/v1/kv/greeting"}, 412, nil, `"version":1`},
		{"cas", []string{"-X", "PUT", "-H", `If-Match: "1"`, "--data-binary", "bonjour", "{u}/v1/kv/greeting"}, 200, map[string]string{"ETag": `"2"`}, ""},
		{"create existing", []string{"-X", "PUT", "-H", "If-None-Match: *", "--data-binary", "x", "{u}/v1/kv/greeting"}, 412, nil, "mismatch"},
		{"create", []string{"-X", "PUT", "-H", "If-None-Match: *", "--data-binary", "1", "{u}/v1/kv/n"}, 201, nil, ""},
		{"escaped key", []string{"-X", "PUT", "--data-binary", "odd", "{u}/v1/kv/a%2F..%2F%2Fb%20c"}, 200, nil, `"key":"a/..//b c"`},
		{"get escaped", []string{"{u}/v1/kv/a%2F..%2F%2Fb%20c"}, 200, nil, "odd"},
		{"incr", []string{"-X", "POST", "{u}/v1/incr/n?by=41"}, 200, nil, `"value":42`},
		{"incr text", []string{"-X", "POST", "{u}/v1/incr/greeting"}, 409, nil, "not an integer"},
		{"scan", []string{"{u}/v1/kv?prefix=g&limit=10"}, 200, nil, `"items":[{"key":"greeting","value":"bonjour","version":2}],"more":false`},
		{"scan page", []string{"{u}/v1/kv?limit=1"}, 200, nil, `"more":true,"next":"a/..//b c\u0000"`},
		{"value too large", []string{"-X", "PUT", "--data-binary", "@" + bigFile, "{u}/v1/kv/big"}, 413, nil, ""},
		{"key too large", []string{"-X", "PUT", "--data-binary", "x", "{u}/v1/kv/" + strings.Repeat("k", 4097)}, 413, nil, ""},
		{"empty key", []string{"{u}/v1/kv/"}, 400, nil, "empty key"},
		{"bad if-match", []string{"-X", "PUT", "-H", "If-Match: soon", "--data-binary", "x", "{u}/v1/kv/greeting"}, 400, nil, ""},
		{"method", []string{"-X", "PATCH", "{u}/v1/kv/greeting"}, 405, nil, ""},
		{"delete", []string{"-X", "DELETE", "{u}/v1/kv/greeting"}, 204, nil, ""},
		{"delete again", []string{"-X", "DELETE", "{u}/v1/kv/greeting"}, 404, nil, ""},
		{"get deleted", []string{"{u}/v1/kv/greeting"}, 404, nil, "not found"},
	}
}

// curlCheck runs the steps against base and returns the first deviation.
func curlCheck(ctx context.Context, curl, base string, steps []curlStep) error {
	for _, s := range steps {
		args := make([]string, len(s.args))
		for i, a := range s.args {
			args[i] = strings.ReplaceAll(a, "{u}", base)
		}
		r, err := runCurl(ctx, curl, args...)
		if err != nil {
			return err
		}
		if r.status != s.status || !strings.Contains(r.body, s.body) {
			return fmt.Errorf("%s: status %d body %q, want %d and %q", s.name, r.status, r.body, s.status, s.body)
		}
		for k, v := range s.header {
			if r.header.Get(k) != v {
				return fmt.Errorf("%s: %s %q, want %q", s.name, k, r.header.Get(k), v)
			}
		}
	}
	return nil
}

func bigValueFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, make([]byte, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCurl checks the HTTP gateway with curl.
func TestCurl(t *testing.T) {
	curl := tool(t, "curl", "curl")
	e := startEnv(t, nil)
	if err := curlCheck(ctxT(t), curl, e.httpURL, curlSteps(bigValueFile(t))); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if v, _, err := e.client.Get(ctx, []byte("a/..//b c")); err != nil || string(v) != "odd" {
		t.Fatalf("the escaped key reached the store as %q: %v", v, err)
	}
	for _, args := range [][]string{{e.httpURL + "/v1/kv/n?stale=1"}, {"-H", "X-VR-Read: stale", e.httpURL + "/v1/kv/n"}} {
		for { // a stale read may lag behind: wait for the write to show
			r, err := runCurl(ctx, curl, args...)
			if err == nil && r.status == 200 && r.body == "42" {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("stale read %v never saw 42: %+v %v", args, r, err)
			}
		}
	}
}

// TestCurlCheckCatchesBlindCAS plants a CAS that ignores If-Match.
func TestCurlCheckCatchesBlindCAS(t *testing.T) {
	curl := tool(t, "curl", "curl")
	e := startEnv(t, withBlindCAS)
	err := curlCheck(ctxT(t), curl, e.httpURL, curlSteps(bigValueFile(t)))
	if err == nil || !strings.Contains(err.Error(), "cas stale version") {
		t.Fatalf("the curl check missed a CAS that ignores If-Match: %v", err)
	}
}

// TestCurlUnavailable: with every replica down, reads and writes answer
// 503 with Retry-After, and a write says its outcome is unknown.
func TestCurlUnavailable(t *testing.T) {
	curl := tool(t, "curl", "curl")
	e := startEnv(t, func(c *gateway.Config) { c.Timeout = 300 * time.Millisecond })
	e.cluster.Stop()
	ctx := ctxT(t)
	for _, args := range [][]string{{e.httpURL + "/v1/kv/k"}, {"-X", "PUT", "--data-binary", "v", e.httpURL + "/v1/kv/k"}} {
		r, err := runCurl(ctx, curl, args...)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Outcome string }
		_ = json.Unmarshal([]byte(r.body), &body)
		if r.status != 503 || r.header.Get("Retry-After") == "" || body.Outcome == "" {
			t.Fatalf("%v with the cluster down: %d %v %q", args, r.status, r.header, r.body)
		}
	}
}
