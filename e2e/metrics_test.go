//go:build linux

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vr-go/vr/client"
)

// scrape reads a replica's /metrics and parses it with Prometheus's own
// text parser: a malformed exposition fails here.
func scrape(ctx context.Context, endpoint string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+endpoint+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := statusClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	return parser.TextToMetricFamilies(resp.Body)
}

// value returns the value of the sample of family name whose labels
// include want (gauge, counter or a histogram's count), and false if there
// is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.Metric {
		if !hasLabels(m, want) {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, l := range m.Label {
			found = found || (l.GetName() == k && l.GetValue() == v)
		}
		if !found {
			return false
		}
	}
	return true
}

// httpStatus returns the status code of GET path at endpoint.
func httpStatus(ctx context.Context, endpoint, path string) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+endpoint+path, nil)
	if err != nil {
		return 0, err.Error()
	}
	resp, err := statusClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// TestMetricsAndProbes runs a 3-replica cluster of real servers, writes,
// kills the primary, and checks what /metrics, /healthz and /readyz say
// against what happened.
func TestMetricsAndProbes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := startCluster(ctx, t, 3)
	p, _, err := c.healthyPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const writes = 50
	putKeys(ctx, t, c.Addrs, writes, 1)
	fams, err := scrape(ctx, c.StatusAddrs[p])
	if err != nil {
		t.Fatal(err)
	}
	checkAtLeast(t, fams, "vr_is_primary", nil, 1)
	checkAtLeast(t, fams, "vr_commit_number", nil, writes)
	checkAtLeast(t, fams, "vr_request_duration_seconds", nil, writes)
	checkAtLeast(t, fams, "vr_prepare_batch_entries", nil, 1)
	checkAtLeast(t, fams, "vr_status", map[string]string{"status": "normal"}, 1)
	for peer := range 3 {
		if peer != p {
			checkAtLeast(t, fams, "vr_transport_sent_bytes_total", map[string]string{"peer": fmt.Sprint(peer)}, 1)
		}
	}
	// At this light load the loop writes most messages itself.
	checkAtLeast(t, fams, "vr_transport_direct_writes_total", nil, 1)
	checkAtLeast(t, fams, "go_goroutines", nil, 1)
	for _, name := range []string{"vr_log_catchups_total", "vr_log_fetches_failed_total", "vr_answers_withheld_total"} {
		checkAtLeast(t, fams, name, nil, 0) // exported, even while zero
	}
	for i, ep := range c.StatusAddrs {
		if code, body := httpStatus(ctx, ep, "/healthz"); code != http.StatusOK {
			t.Fatalf("replica %d /healthz: %d %s", i, code, body)
		}
		if code, body := httpStatus(ctx, ep, "/readyz"); code != http.StatusOK {
			t.Fatalf("replica %d /readyz: %d %s", i, code, body)
		}
	}
	if err := c.killPrimary(ctx, true); err != nil {
		t.Fatal(err)
	}
	for i, ep := range c.StatusAddrs {
		fams, err := scrape(ctx, ep)
		if err != nil {
			t.Fatal(err)
		}
		name := "vr_view_changes_total"
		if i == p {
			name = "vr_recoveries_total" // restarted: it recovered
		}
		checkAtLeast(t, fams, name, nil, 1)
	}
	if code, body := httpStatus(ctx, c.StatusAddrs[p], "/readyz?max_lag=x"); code != http.StatusBadRequest {
		t.Fatalf("/readyz with a bad max_lag: %d %s", code, body)
	}
}

// checkAtLeast fails unless the sample exists and is at least min.
func checkAtLeast(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string, min float64) {
	t.Helper()
	v, ok := value(fams, name, labels)
	if !ok || v < min {
		t.Fatalf("%s%v = %v (present %v), want at least %v", name, labels, v, ok, min)
	}
}

// TestWALMetrics checks durable mode's metrics against the writes a test
// makes: every write is fsynced before its reply (sync mode), and the log
// counts the bytes of the entries appended.
func TestWALMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := startDurableCluster(ctx, t, 3)
	p, _, err := d.healthyPrimary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const writes, size = 20, 1000
	putKeys(ctx, t, d.Addrs, writes, size)
	fams, err := scrape(ctx, d.StatusAddrs[p])
	if err != nil {
		t.Fatal(err)
	}
	checkAtLeast(t, fams, "vr_wal_fsync_duration_seconds", nil, writes)
	checkAtLeast(t, fams, "vr_wal_written_entry_bytes_total", nil, writes*size)
	checkAtLeast(t, fams, "vr_log_bytes", nil, 1)
	checkKVMemory(ctx, t, d.StatusAddrs[p], writes*size)
}

// checkKVMemory waits until the replica at statusAddr reports at least
// live bytes of live kv records (the loop publishes them at its ticks),
// in slabs that hold at least as much.
func checkKVMemory(ctx context.Context, t *testing.T, statusAddr string, live float64) {
	t.Helper()
	for {
		fams, err := scrape(ctx, statusAddr)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := value(fams, "vr_kv_live_record_bytes", nil)
		slabs, _ := value(fams, "vr_kv_slab_bytes", nil)
		_, hasCompactions := value(fams, "vr_kv_compactions_total", nil)
		if got >= live && slabs >= got && hasCompactions {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("vr_kv_live_record_bytes %v, vr_kv_slab_bytes %v, compactions present %v: want at least %v live bytes in slabs at least as large",
				got, slabs, hasCompactions, live)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// putKeys writes keys k0..k<n-1> with values of size bytes, one at a time,
// through a client of its own.
func putKeys(ctx context.Context, t *testing.T, addrs []string, n, size int) {
	t.Helper()
	kv, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Sessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	for i := range n {
		if _, err := kv.Put(ctx, []byte(fmt.Sprint("k", i)), make([]byte, size)); err != nil {
			t.Fatal(err)
		}
	}
}
