package gateway

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/vr-go/vr/kv"
)

// SCAN's defaults and bounds.
const (
	defaultScanCount = 10
	maxCursors       = 4096
)

// cmdScan: SCAN cursor [MATCH prefix*] [COUNT n] → [next cursor, keys].
// The store scans in key order from a start key, so a cursor stands for
// the key to resume from. Real clients (redis-cli, go-redis) parse the
// cursor as a 64-bit number, so the gateway hands out numbers and keeps
// the key each one stands for (a bounded table; an evicted or unknown
// cursor is an error). Cursor 0 starts, and a returned 0 ends, as in Redis.
func cmdScan(ctx context.Context, r *request) {
	cursor, err := strconv.ParseUint(string(r.args[0]), 10, 64)
	if err != nil {
		r.conn.WriteError("ERR invalid cursor")
		return
	}
	prefix, count, msg := parseScanOptions(r.args[1:], r.srv.cfg.Limits)
	if msg != "" {
		r.conn.WriteError(msg)
		return
	}
	start := prefix
	if cursor != 0 {
		key, ok := r.srv.cursors.get(cursor)
		if !ok {
			r.conn.WriteError("ERR invalid cursor (unknown to this gateway, or expired)")
			return
		}
		start = max(start, key)
	}
	rd, err := r.reader()
	if err != nil {
		r.fail(err)
		return
	}
	items, more, err := rd.Scan(ctx, []byte(start), prefixEnd([]byte(prefix)), count)
	if err != nil {
		r.fail(err)
		return
	}
	r.writeScan(items, more)
}

// writeScan answers SCAN with the next cursor and the keys.
func (r *request) writeScan(items []kv.Item, more bool) {
	var next uint64
	if more && len(items) > 0 {
		next = r.srv.cursors.put(string(items[len(items)-1].Key) + "\x00")
	}
	r.conn.WriteArray(2)
	r.conn.WriteBulkString(strconv.FormatUint(next, 10))
	r.conn.WriteArray(len(items))
	for _, it := range items {
		r.conn.WriteBulk(it.Key)
	}
}

// parseScanOptions reads MATCH and COUNT, or returns Redis's error text.
// MATCH takes a prefix followed by one '*' (or '*' alone): the store
// scans ranges of keys, not glob patterns.
func parseScanOptions(args [][]byte, lim kv.Limits) (prefix string, count int, msg string) {
	count = defaultScanCount
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return "", 0, errSyntax
		}
		val := string(args[i+1])
		switch strings.ToLower(string(args[i])) {
		case "match":
			p, ok := globPrefix(val)
			if !ok {
				return "", 0, "ERR MATCH supports only prefix patterns such as 'user:*'"
			}
			prefix = p
		case "count":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return "", 0, errNotInt
			}
			count = min(n, lim.MaxScan)
		default:
			return "", 0, errSyntax
		}
	}
	return prefix, count, ""
}

// globPrefix returns the prefix a "prefix*" pattern stands for.
func globPrefix(pattern string) (string, bool) {
	body := strings.TrimSuffix(pattern, "*")
	if strings.ContainsAny(body, "*?[\\") || body == pattern {
		return "", false
	}
	return body, true
}

// prefixEnd is the first key after every key starting with prefix (nil:
// no bound).
func prefixEnd(prefix []byte) []byte {
	end := []byte(string(prefix))
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// cursors maps the numbers SCAN hands out to the keys they resume from,
// forgetting the oldest beyond a bound.
type cursors struct {
	mu    sync.Mutex
	max   int
	next  uint64
	keys  map[uint64]string
	order []uint64 // oldest first
}

func newCursors(max int) *cursors {
	return &cursors{max: max, keys: map[uint64]string{}}
}

// put remembers key and returns its cursor (never 0).
func (c *cursors) put(key string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	c.keys[c.next] = key
	c.order = append(c.order, c.next)
	if len(c.order) > c.max {
		delete(c.keys, c.order[0])
		c.order = c.order[1:]
	}
	return c.next
}

// get returns the key of cursor n.
func (c *cursors) get(n uint64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[n]
	return k, ok
}
