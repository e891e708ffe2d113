package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWithPprofServesProfilesAndPassesTheRest(t *testing.T) {
	status := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("status")) })
	h := withPprof(status)
	for path, want := range map[string]string{
		"/debug/pprof/":     "goroutine",
		"/debug/pprof/heap": "heap profile",
		"/status":           "status",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path+"?debug=1", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, body without %q: %.200s", path, rec.Code, want, rec.Body.String())
		}
	}
}
