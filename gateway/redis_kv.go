package gateway

import (
	"context"
	"errors"
	"strconv"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

// reader is the Reader for this connection's read mode (READONLY).
func (r *request) reader() (Reader, error) { return r.srv.cfg.reader(r.state.stale) }

// cmdGet: GET key.
func cmdGet(ctx context.Context, r *request) {
	v, _, err := r.get(ctx, r.args[0])
	switch {
	case errors.Is(err, client.ErrNotFound):
		r.null()
	case err != nil:
		r.fail(err)
	default:
		r.conn.WriteBulk(v)
	}
}

// get reads key in the connection's read mode.
func (r *request) get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	rd, err := r.reader()
	if err != nil {
		return nil, 0, err
	}
	return rd.Get(ctx, key)
}

// cmdVRGet: VRGET key → [value, version], or null.
func cmdVRGet(ctx context.Context, r *request) {
	v, version, err := r.get(ctx, r.args[0])
	switch {
	case errors.Is(err, client.ErrNotFound):
		r.null()
	case err != nil:
		r.fail(err)
	default:
		r.conn.WriteArray(2)
		r.conn.WriteBulk(v)
		r.conn.WriteUint64(version)
	}
}

// cmdVRCAS: VRCAS key expected-version value → the new version, or a
// MISMATCH error with the current version. Expected 0: create only.
func cmdVRCAS(ctx context.Context, r *request) {
	expected, err := strconv.ParseUint(string(r.args[1]), 10, 64)
	if err != nil {
		r.conn.WriteError(errNotInt)
		return
	}
	version, err := r.srv.cfg.Store.CAS(ctx, r.args[0], expected, r.args[2])
	if msg, ok := casFailure(err); ok {
		r.conn.WriteError(msg)
		return
	}
	if err != nil {
		r.fail(err)
		return
	}
	r.conn.WriteUint64(version)
}

// cmdDel: DEL key [key ...] → how many existed. Several keys go as one
// batch: deleted together, in one op.
func cmdDel(ctx context.Context, r *request) {
	if len(r.args) == 1 {
		found, err := r.srv.cfg.Store.Delete(ctx, r.args[0])
		if err != nil {
			r.fail(err)
			return
		}
		r.conn.WriteInt(boolInt(found))
		return
	}
	cmds := make([]kv.Command, len(r.args))
	for i, k := range r.args {
		cmds[i] = kv.NewDelete(k)
	}
	res, err := r.srv.cfg.runBatch(ctx, nil, cmds, true)
	if err != nil {
		r.fail(err)
		return
	}
	r.conn.WriteInt(countFound(res))
}

// cmdExists: EXISTS key [key ...] → how many exist (a key named twice
// counts twice, as in Redis), read in one op.
func cmdExists(ctx context.Context, r *request) {
	res, err := r.readKeys(ctx, r.args)
	if err != nil {
		r.fail(err)
		return
	}
	r.conn.WriteInt(countFound(res))
}

// cmdMGet: MGET key [key ...] → values or nulls, read in one op (a
// consistent snapshot of the keys).
func cmdMGet(ctx context.Context, r *request) {
	res, err := r.readKeys(ctx, r.args)
	if err != nil {
		r.fail(err)
		return
	}
	r.conn.WriteArray(len(res))
	for _, sub := range res {
		if sub.Found {
			r.conn.WriteBulk(sub.Value)
		} else {
			r.null()
		}
	}
}

// readKeys reads keys in one read-only batch.
func (r *request) readKeys(ctx context.Context, keys [][]byte) ([]kv.Result, error) {
	rd, err := r.reader()
	if err != nil {
		return nil, err
	}
	cmds := make([]kv.Command, len(keys))
	for i, k := range keys {
		cmds[i] = kv.NewGet(k)
	}
	return r.srv.cfg.runBatch(ctx, rd, cmds, false)
}

// cmdMSet: MSET key value [key value ...], written in one op.
func cmdMSet(ctx context.Context, r *request) {
	if len(r.args)%2 != 0 {
		r.conn.WriteError("ERR wrong number of arguments for 'mset' command")
		return
	}
	cmds := make([]kv.Command, 0, len(r.args)/2)
	for i := 0; i < len(r.args); i += 2 {
		cmds = append(cmds, kv.NewPut(r.args[i], r.args[i+1]))
	}
	if _, err := r.srv.cfg.runBatch(ctx, nil, cmds, true); err != nil {
		r.fail(err)
		return
	}
	r.conn.WriteString("OK")
}

func countFound(res []kv.Result) int {
	n := 0
	for _, sub := range res {
		n += boolInt(sub.Found)
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
