package gateway

import (
	"context"
	"math"
	"strconv"
)

// cmdIncr: INCR, DECR, INCRBY, DECRBY. Each is one Incr op of the store:
// the cluster adds, so concurrent increments never lose one another.
func cmdIncr(ctx context.Context, r *request) {
	delta, msg := incrDelta(r.name, r.args)
	if msg != "" {
		r.conn.WriteError(msg)
		return
	}
	n, _, err := r.srv.cfg.Store.Incr(ctx, r.args[0], delta)
	if err != nil {
		r.fail(err)
		return
	}
	r.conn.WriteInt64(n)
}

// incrDelta is the amount the command adds, or Redis's error text.
func incrDelta(name string, args [][]byte) (int64, string) {
	switch name {
	case "incr":
		return 1, ""
	case "decr":
		return -1, ""
	}
	d, err := strconv.ParseInt(string(args[1]), 10, 64)
	if err != nil {
		return 0, errNotInt
	}
	if name == "decrby" {
		if d == math.MinInt64 {
			return 0, "ERR decrement would overflow"
		}
		d = -d
	}
	return d, ""
}
