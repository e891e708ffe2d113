package node

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"sync"
	"time"
)

//go:embed web
var webFiles embed.FS

// ReplicaView is one replica as the status page's cluster view shows it.
type ReplicaView struct {
	Index      int     `json:"index"`
	Address    string  `json:"address"`
	StatusAddr string  `json:"status_addr,omitempty"`
	Status     *Status `json:"status,omitempty"` // nil when it did not answer
	Error      string  `json:"error,omitempty"`
	// LatencyP50Ms and LatencyP99Ms are over the requests this replica
	// answered in the last few seconds (RecentRequests of them).
	LatencyP50Ms   float64 `json:"latency_p50_ms"`
	LatencyP99Ms   float64 `json:"latency_p99_ms"`
	RecentRequests int     `json:"recent_requests"`
}

// ClusterView is what GET /cluster returns: every replica's status, as
// this replica could read it just now.
type ClusterView struct {
	Self     int           `json:"self"`
	At       time.Time     `json:"at"`
	Replicas []ReplicaView `json:"replicas"`
}

// peerStatusTimeout bounds the wait for one peer's status: a dead replica
// must not stall the page.
const peerStatusTimeout = 400 * time.Millisecond

// mountStatusPage adds the live status page (/ and its assets) and the
// cluster view it polls (/cluster) to mux.
func (n *Node) mountStatusPage(mux *http.ServeMux) {
	sub, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /web/", http.StripPrefix("/web/", files))
	mux.HandleFunc("GET /cluster", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(n.clusterView(r.Context()))
	})
}

// selfView is this replica's own row, with its recent latencies.
func (n *Node) selfView() ReplicaView {
	s := n.Status()
	v := ReplicaView{Index: n.cfg.Index, Address: n.cfg.Peers[n.cfg.Index], Status: &s}
	if n.cfg.StatusAddrs != nil {
		v.StatusAddr = n.cfg.StatusAddrs[n.cfg.Index]
	}
	p50, p99, count := n.metrics.recentPercentiles()
	v.LatencyP50Ms, v.LatencyP99Ms, v.RecentRequests = ms(p50), ms(p99), count
	return v
}

// clusterView reads every peer's /status concurrently.
func (n *Node) clusterView(ctx context.Context) ClusterView {
	view := ClusterView{Self: n.cfg.Index, At: time.Now(), Replicas: make([]ReplicaView, len(n.cfg.Peers))}
	var wg sync.WaitGroup
	for i, addr := range n.cfg.Peers {
		if i == n.cfg.Index {
			view.Replicas[i] = n.selfView()
			continue
		}
		rv := ReplicaView{Index: i, Address: addr}
		if n.cfg.StatusAddrs != nil {
			rv.StatusAddr = n.cfg.StatusAddrs[i]
		}
		view.Replicas[i] = rv
		if rv.StatusAddr == "" {
			view.Replicas[i].Error = "status address unknown (see --status-addrs)"
			continue
		}
		wg.Go(func() { view.Replicas[i] = fetchPeerView(ctx, rv) })
	}
	wg.Wait()
	return view
}

// peerClient reads the peers' status endpoints.
var peerClient = &http.Client{Timeout: peerStatusTimeout}

// fetchPeerView fills rv from the peer's /self.
func fetchPeerView(ctx context.Context, rv ReplicaView) ReplicaView {
	ctx, cancel := context.WithTimeout(ctx, peerStatusTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+rv.StatusAddr+"/self", nil)
	if err == nil {
		var resp *http.Response
		if resp, err = peerClient.Do(req); err == nil {
			defer resp.Body.Close()
			var got ReplicaView
			if err = json.NewDecoder(resp.Body).Decode(&got); err == nil && got.Status != nil {
				got.Index, got.Address, got.StatusAddr = rv.Index, rv.Address, rv.StatusAddr
				return got
			}
		}
	}
	rv.Error = "no answer"
	var op *net.OpError
	switch {
	case errors.As(err, &op):
		rv.Error = op.Err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		rv.Error = "no answer within " + peerStatusTimeout.String()
	}
	return rv
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
