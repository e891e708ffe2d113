package node

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// StatusHandler serves the replica's status, digest included, as JSON at
// GET /status (and /).
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
	mux.HandleFunc("GET /{$}", serve)
	return mux
}
