package gateway

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/vr-go/vr/kv"
)

// defaultHTTPScan is the default limit of GET /v1/kv.
const defaultHTTPScan = 100

// scanItem is one key of a scan answer. Keys and values are JSON strings
// when they are valid UTF-8; otherwise they come base64-encoded in
// key_base64 / value_base64 instead.
type scanItem struct {
	Key         string `json:"key,omitempty"`
	KeyBase64   []byte `json:"key_base64,omitempty"`
	Value       string `json:"value,omitempty"`
	ValueBase64 []byte `json:"value_base64,omitempty"`
	Version     uint64 `json:"version"`
}

// scanBody is the answer of GET /v1/kv. Next, when More, is the start of
// the next page (the last key followed by a zero byte).
type scanBody struct {
	Items      []scanItem `json:"items"`
	More       bool       `json:"more"`
	Next       string     `json:"next,omitempty"`
	NextBase64 []byte     `json:"next_base64,omitempty"`
}

// scan answers GET /v1/kv?prefix=&start=&end=&limit=: the keys in
// [start, end) that start with prefix, in key order.
func (h *HTTPHandler) scan(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, end := scanRange([]byte(q.Get("prefix")), []byte(q.Get("start")), []byte(q.Get("end")))
	limit := defaultHTTPScan
	if l := q.Get("limit"); l != "" {
		var err error
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			writeJSONError(w, http.StatusBadRequest, "limit must be a positive integer", "not-applied")
			return
		}
	}
	rd, err := h.reader(r)
	if err == nil {
		err = h.cfg.Limits.Validate(kv.NewScan(start, end, limit))
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	items, more, err := rd.Scan(ctx, start, end, limit)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, scanAnswer(items, more))
}

// scanRange intersects [start, end) with the keys starting with prefix.
func scanRange(prefix, start, end []byte) ([]byte, []byte) {
	if bytes.Compare(prefix, start) > 0 {
		start = prefix
	}
	if pe := prefixEnd(prefix); pe != nil && (len(end) == 0 || bytes.Compare(pe, end) < 0) {
		end = pe
	}
	return start, end
}

func scanAnswer(items []kv.Item, more bool) scanBody {
	body := scanBody{Items: make([]scanItem, len(items)), More: more}
	for i, it := range items {
		body.Items[i] = jsonItem(it)
	}
	if more && len(items) > 0 {
		next := jsonItem(kv.Item{Key: append(bytes.Clone(items[len(items)-1].Key), 0)})
		body.Next, body.NextBase64 = next.Key, next.KeyBase64
	}
	return body
}

func jsonItem(it kv.Item) scanItem {
	s := scanItem{Version: it.Version}
	if utf8.Valid(it.Key) {
		s.Key = string(it.Key)
	} else {
		s.KeyBase64 = it.Key
	}
	if utf8.Valid(it.Value) {
		s.Value = string(it.Value)
	} else {
		s.ValueBase64 = it.Value
	}
	return s
}
