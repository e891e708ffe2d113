package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The HTTP API's paths.
const (
	kvPath   = "/v1/kv"
	incrPath = "/v1/incr/"
)

// HTTPHandler serves the HTTP/JSON API:
//
//	PUT    /v1/kv/{key}   body = value; If-Match: "<version>" (CAS),
//	                      If-None-Match: * (create only)
//	GET    /v1/kv/{key}   the value; ETag = "<version>"
//	DELETE /v1/kv/{key}
//	POST   /v1/incr/{key}?by=N
//	GET    /v1/kv?prefix=&start=&end=&limit=   JSON list
//
// {key} is the key URL-escaped (so it may contain '/', written %2F).
// Reads are linearizable unless ?stale=1 or "X-VR-Read: stale".
type HTTPHandler struct{ cfg Config }

// NewHTTPHandler returns the handler for cfg, or an error if cfg has no
// Store. Mount it at the root or route /v1/ to it: it reads the escaped
// path itself, so that no router cleans a key such as "a//b" or "..".
func NewHTTPHandler(cfg Config) (*HTTPHandler, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("gateway: Config.Store is required")
	}
	return &HTTPHandler{cfg: cfg.withDefaults()}, nil
}

// ServeHTTP routes a request.
func (h *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.Timeout)
	defer cancel()
	path := r.URL.EscapedPath()
	switch {
	case path == kvPath:
		h.route(w, r, map[string]func(){http.MethodGet: func() { h.scan(ctx, w, r) }})
	case strings.HasPrefix(path, kvPath+"/"):
		key, ok := pathKey(w, path, kvPath+"/")
		if !ok {
			return
		}
		h.route(w, r, map[string]func(){
			http.MethodGet:    func() { h.get(ctx, w, r, key) },
			http.MethodHead:   func() { h.get(ctx, w, r, key) },
			http.MethodPut:    func() { h.put(ctx, w, r, key) },
			http.MethodDelete: func() { h.delete(ctx, w, r, key) },
		})
	case strings.HasPrefix(path, incrPath):
		key, ok := pathKey(w, path, incrPath)
		if !ok {
			return
		}
		h.route(w, r, map[string]func(){http.MethodPost: func() { h.incr(ctx, w, r, key) }})
	default:
		writeJSONError(w, http.StatusNotFound, "no such endpoint: use "+kvPath+"/{key} or "+incrPath+"{key}", "not-applied")
	}
}

// route runs the handler for r's method, or answers 405.
func (h *HTTPHandler) route(w http.ResponseWriter, r *http.Request, byMethod map[string]func()) {
	if f, ok := byMethod[r.Method]; ok {
		f()
		return
	}
	var allowed []string
	for m := range byMethod {
		allowed = append(allowed, m)
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeJSONError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed here", "not-applied")
}

// pathKey unescapes the key after prefix in an escaped path.
func pathKey(w http.ResponseWriter, path, prefix string) ([]byte, bool) {
	key, err := url.PathUnescape(strings.TrimPrefix(path, prefix))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "bad key escape: "+err.Error(), "not-applied")
		return nil, false
	}
	return []byte(key), true
}

// reader picks the Reader for the request's read mode.
func (h *HTTPHandler) reader(r *http.Request) (Reader, error) {
	stale := r.URL.Query().Get("stale")
	mode := strings.ToLower(r.Header.Get("X-VR-Read"))
	return h.cfg.reader(stale == "1" || stale == "true" || mode == "stale")
}

// fail answers err with its HTTP status and a JSON body.
func (h *HTTPHandler) fail(w http.ResponseWriter, err error) {
	status := statusOf(err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if status == http.StatusInternalServerError {
		h.cfg.Logger.Warn("http gateway: request failed", "err", err)
	}
	w.Header().Set("X-VR-Outcome", outcome(err))
	writeJSONError(w, status, err.Error(), outcome(err))
}

// statusOf maps an error to the HTTP status users expect.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	switch classify(err) {
	case failBadInput:
		return http.StatusBadRequest
	case failTooLarge:
		return http.StatusRequestEntityTooLarge
	case failConflict:
		return http.StatusConflict
	case failUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is the JSON of an error answer. Outcome is "not-applied" (a
// write had no effect) or "unknown" (a write may have been applied).
type errorBody struct {
	Error   string `json:"error"`
	Outcome string `json:"outcome"`
	Version uint64 `json:"version,omitempty"`
}

func writeJSONError(w http.ResponseWriter, status int, msg, outcome string) {
	writeJSON(w, status, errorBody{Error: msg, Outcome: outcome})
}

// etag is the ETag of a version.
func etag(version uint64) string { return `"` + strconv.FormatUint(version, 10) + `"` }

// parseVersion reads a version from an If-Match or If-None-Match value:
// an ETag ("7", or W/"7") or a bare number.
func parseVersion(s string) (uint64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	s = strings.Trim(s, `"`)
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%w: version %q is not a positive integer", errBadHeader, s)
	}
	return v, nil
}

// errBadHeader: a conditional header does not parse.
var errBadHeader = errors.New("gateway: bad conditional header")

// NewHTTPServer returns an http.Server for h with timeouts against slow
// clients (slow-loris): headers within 5s, the whole request within 30s.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
