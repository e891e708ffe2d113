package main

import (
	"net/http"
	"net/http/pprof"
	"strings"
)

// withPprof serves Go's runtime profiles under /debug/pprof/ on the status
// endpoint (vr server --enable-pprof, as etcd's flag of the same name):
// heap, allocs, goroutine and mutex profiles, and a CPU profile of up to
// the status server's write timeout (30 s: ?seconds=20). Off by default,
// since a profile costs the replica CPU and shows its internals.
func withPprof(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/debug/pprof/") {
			mux.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
