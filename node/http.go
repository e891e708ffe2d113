package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vr-go/vr/core"
)

// DefaultReadyLag is how many committed ops a replica may not have executed
// yet and still be ready (GET /readyz; ?max_lag= overrides it).
const DefaultReadyLag = 1000

// StatusHandler serves the replica's status: the live status page at /,
// the JSON document with the state digest at GET /status, this replica's
// row of the page at /self and the whole cluster's at /cluster, Prometheus
// metrics at /metrics, liveness at /healthz and readiness at /readyz.
func (n *Node) StatusHandler() http.Handler {
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		s, err := n.FullStatus(ctx)
		if err != nil {
			http.Error(w, "replica busy: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	}
	mux.HandleFunc("GET /status", serve)
	mux.HandleFunc("GET /self", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(n.selfView())
	})
	n.mountStatusPage(mux)
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", n.serveReady)
	return mux
}

// serveReady answers 200 when the replica is normal in a view (so it knows
// its primary), holds the state below its log, and has executed all but
// at most max_lag of the ops it knows committed; 503 with the reason
// otherwise.
func (n *Node) serveReady(w http.ResponseWriter, r *http.Request) {
	maxLag := uint64(DefaultReadyLag)
	if v := r.URL.Query().Get("max_lag"); v != "" {
		lag, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			http.Error(w, "max_lag must be a non-negative integer", http.StatusBadRequest)
			return
		}
		maxLag = lag
	}
	if reason := notReady(*n.info.Load(), maxLag); reason != "" {
		http.Error(w, "not ready: "+reason, http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// notReady returns why a replica in state info is not ready, or "".
func notReady(info core.Info, maxLag uint64) string {
	switch {
	case info.Status != core.StatusNormal:
		return fmt.Sprintf("status %s in view %d", info.Status, info.View)
	case info.Role == core.RoleWitness:
		return "" // normal is all a witness can be: it executes nothing
	case info.Executed < info.LogBase:
		return fmt.Sprintf("fetching the state below its log (log after op %d, executed %d)", info.LogBase, info.Executed)
	case info.Commit-info.Executed > maxLag:
		return fmt.Sprintf("%d committed ops not executed yet (max_lag %d)", info.Commit-info.Executed, maxLag)
	}
	return ""
}
