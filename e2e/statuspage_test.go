//go:build linux

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds the browser for the status-page test. Without one the
// test is skipped, except under CI (CI set), where .ci/run installs it and
// its absence is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on this CI machine: .ci/run should have installed it")
	}
	t.Skip("no chromium: apt-get install chromium to run the status-page test")
	return ""
}

// TestStatusPageShowsNewPrimary opens the live status page of a backup in
// headless Chromium, kills the primary, and checks that the page names a
// new primary within 2 s of the new view existing, without a reload. It
// saves a screenshot of the page after the failover.
func TestStatusPageShowsNewPrimary(t *testing.T) {
	browser := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := startCluster(ctx, t, 3)
	p, view, err := c.healthyPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	putKeys(ctx, t, c.Addrs, 100, 1)
	watch := (p + 1) % 3
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	url := "http://" + c.StatusAddrs[watch] + "/"
	want := strconv.Itoa(p)
	if err := chromedp.Do(bctx, chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#primary[data-primary="`+want+`"]`))); err != nil {
		t.Fatalf("page at %s never showed primary %d: %v", url, p, err)
	}
	// The primary answered the writes within the page's latency window.
	row, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`tr[data-replica="`+want+`"]`)))
	if err != nil || !strings.Contains(row, "primary") || strings.Count(row, "—") > 1 {
		t.Fatalf("primary's row %q (%v): want its role, checkpoint dash only, and latencies", row, err)
	}
	c.kill(p)
	sts, err := c.waitNewView(ctx, without(c.All(), p), view)
	if err != nil {
		t.Fatal(err)
	}
	newPrimary, _ := agreed(sts, without(c.All(), p))
	wctx, wcancel := context.WithTimeout(bctx, 2*time.Second)
	defer wcancel()
	sel := chromedp.CSS(`#primary[data-primary="` + strconv.Itoa(newPrimary) + `"]`)
	if err := chromedp.Do(wctx, chromedp.WaitVisible(sel)); err != nil {
		text, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("primary")))
		t.Fatalf("2 s after view %d formed with primary %d, the page still says %q", sts[newPrimary].View, newPrimary, text)
	}
	down, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`tr[data-replica="`+want+`"]`)))
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("timeline")))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(down, "down") || !strings.Contains(timeline, "view "+strconv.FormatUint(sts[newPrimary].View, 10)) {
		t.Fatalf("row of the killed primary %q, timeline %q", down, timeline)
	}
	path := filepath.Join(artifactDir(t), "statuspage.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
