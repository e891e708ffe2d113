package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

// putBody is the JSON answer of a successful PUT.
type putBody struct {
	Key     string `json:"key"`
	Version uint64 `json:"version"`
}

// get answers GET (and HEAD) /v1/kv/{key}: the value, its version in
// ETag and X-VR-Version; 304 if If-None-Match names that version.
func (h *HTTPHandler) get(ctx context.Context, w http.ResponseWriter, r *http.Request, key []byte) {
	rd, err := h.reader(r)
	if err == nil {
		err = h.cfg.Limits.Validate(kv.NewGet(key))
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	value, version, err := rd.Get(ctx, key)
	if errors.Is(err, client.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "key not found", "not-applied")
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("ETag", etag(version))
	w.Header().Set("X-VR-Version", strconv.FormatUint(version, 10))
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if v, err := parseVersion(inm); err == nil && v == version {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(value)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(value)
	}
}

// put answers PUT /v1/kv/{key}: a plain write, a CAS (If-Match: version)
// or a create (If-None-Match: *). A failed condition is 412 with the
// current version.
func (h *HTTPHandler) put(ctx context.Context, w http.ResponseWriter, r *http.Request, key []byte) {
	if err := h.cfg.Limits.Validate(kv.NewGet(key)); err != nil {
		h.fail(w, err)
		return
	}
	value, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(h.cfg.Limits.MaxValue)))
	if err != nil {
		h.fail(w, err)
		return
	}
	expected, conditional, err := putCondition(r.Header)
	if err != nil {
		h.fail(w, err)
		return
	}
	var version uint64
	if conditional {
		version, err = h.cfg.Store.CAS(ctx, key, expected, value)
	} else {
		version, err = h.cfg.Store.Put(ctx, key, value)
	}
	var ce *client.CASError
	if errors.As(err, &ce) {
		writeJSON(w, http.StatusPreconditionFailed, errorBody{Error: "version mismatch", Outcome: "not-applied", Version: ce.Current})
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("ETag", etag(version))
	status := http.StatusOK
	if conditional && expected == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, putBody{Key: string(key), Version: version})
}

// putCondition reads If-Match (a version) and If-None-Match (only *).
// expected 0 with conditional means create only.
func putCondition(hd http.Header) (expected uint64, conditional bool, err error) {
	im, inm := hd.Get("If-Match"), hd.Get("If-None-Match")
	switch {
	case im != "" && inm != "":
		return 0, false, errors.Join(errBadHeader, errors.New("give If-Match or If-None-Match, not both"))
	case im != "":
		v, err := parseVersion(im)
		return v, true, err
	case inm == "*":
		return 0, true, nil
	case inm != "":
		return 0, false, errors.Join(errBadHeader, errors.New("a PUT takes only If-None-Match: *"))
	}
	return 0, false, nil
}

// delete answers DELETE /v1/kv/{key}: 204 if it existed, 404 if not.
func (h *HTTPHandler) delete(ctx context.Context, w http.ResponseWriter, r *http.Request, key []byte) {
	if r.Header.Get("If-Match") != "" {
		writeJSONError(w, http.StatusNotImplemented, "conditional DELETE is not supported: the store has no compare-and-delete", "not-applied")
		return
	}
	found, err := h.cfg.Store.Delete(ctx, key)
	if err != nil {
		h.fail(w, err)
		return
	}
	if !found {
		writeJSONError(w, http.StatusNotFound, "key not found", "not-applied")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// incrBody is the JSON answer of POST /v1/incr/{key}.
type incrBody struct {
	Key     string `json:"key"`
	Value   int64  `json:"value"`
	Version uint64 `json:"version"`
}

// incr answers POST /v1/incr/{key}?by=N (default 1): one replicated
// increment; 409 if the value is not an integer or would overflow.
func (h *HTTPHandler) incr(ctx context.Context, w http.ResponseWriter, r *http.Request, key []byte) {
	delta := int64(1)
	if by := r.URL.Query().Get("by"); by != "" {
		var err error
		if delta, err = strconv.ParseInt(by, 10, 64); err != nil {
			writeJSONError(w, http.StatusBadRequest, "by must be a 64-bit integer", "not-applied")
			return
		}
	}
	n, version, err := h.cfg.Store.Incr(ctx, key, delta)
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("ETag", etag(version))
	writeJSON(w, http.StatusOK, incrBody{Key: string(key), Value: n, Version: version})
}
