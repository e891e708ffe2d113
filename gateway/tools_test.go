package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"testing"
)

// tool returns the path of an external client no one here wrote. Missing,
// it skips the test on a developer's machine and fails it under CI (CI
// set), where .ci/run installs it.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing under CI: .ci/run should have installed it (apt-get install %s)", name, debianPackage)
	}
	t.Skipf("%s is not installed (apt-get install %s); under CI this test fails instead", name, debianPackage)
	return ""
}

// curlResponse runs curl -i with args and parses what it printed.
type curlResponse struct {
	status int
	header http.Header
	body   string
}

func runCurl(ctx context.Context, curl string, args ...string) (curlResponse, error) {
	out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "-i", "-H", "Expect:"}, args...)...).Output()
	if err != nil {
		return curlResponse{}, fmt.Errorf("curl %v: %w", args, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
	if err != nil {
		return curlResponse{}, fmt.Errorf("curl %v printed %q: %w", args, out, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return curlResponse{status: resp.StatusCode, header: resp.Header, body: string(body)}, err
}
