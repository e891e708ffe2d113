package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/vr-go/vr/client"
)

// maxSetAttempts bounds the compare-and-set retries of SET XX or GET when
// other writers keep changing the key.
const maxSetAttempts = 16

// setOptions are SET's flags that map onto the store.
type setOptions struct{ nx, xx, get bool }

// parseSetOptions reads SET's options, or returns Redis's error text.
// Expiry (EX, PX, EXAT, PXAT, KEEPTTL) does not map: the store keeps keys
// until deleted.
func parseSetOptions(args [][]byte) (setOptions, string) {
	var o setOptions
	for _, a := range args {
		switch strings.ToLower(string(a)) {
		case "nx":
			o.nx = true
		case "xx":
			o.xx = true
		case "get":
			o.get = true
		case "ex", "px", "exat", "pxat", "keepttl":
			return o, "ERR expiry (EX, PX, EXAT, PXAT, KEEPTTL) is not supported: vr keeps keys until deleted"
		default:
			return o, errSyntax
		}
	}
	if o.nx && o.xx {
		return o, errSyntax
	}
	return o, ""
}

// cmdSet: SET key value [NX|XX] [GET]. Plain SET is one Put; NX is one
// CAS expecting absence; XX and GET read the key's version and then CAS
// against it, retrying if another writer came in between, so the write
// happens only on the state the reply describes.
func cmdSet(ctx context.Context, r *request) {
	o, msg := parseSetOptions(r.args[2:])
	if msg != "" {
		r.conn.WriteError(msg)
		return
	}
	key, value := r.args[0], r.args[1]
	st := r.srv.cfg.Store
	switch {
	case !o.nx && !o.xx && !o.get:
		if _, err := st.Put(ctx, key, value); err != nil {
			r.fail(err)
			return
		}
		r.conn.WriteString("OK")
	case o.nx && !o.get:
		_, err := st.CAS(ctx, key, 0, value)
		if errors.Is(err, client.ErrVersionMismatch) {
			r.null()
			return
		}
		if err != nil {
			r.fail(err)
			return
		}
		r.conn.WriteString("OK")
	default:
		r.setConditional(ctx, key, value, o)
	}
}

// setConditional runs SET with XX or GET as read-version-then-CAS.
func (r *request) setConditional(ctx context.Context, key, value []byte, o setOptions) {
	st := r.srv.cfg.Store
	for range maxSetAttempts {
		old, version, err := st.Get(ctx, key)
		exists := err == nil
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			r.fail(err)
			return
		}
		if (o.nx && exists) || (o.xx && !exists) {
			r.setReply(o, old, exists, false)
			return
		}
		_, err = st.CAS(ctx, key, version, value)
		if errors.Is(err, client.ErrVersionMismatch) {
			continue // another writer came in between: read again
		}
		if err != nil {
			r.fail(err)
			return
		}
		r.setReply(o, old, exists, true)
		return
	}
	r.fail(ErrContention)
}

// setReply answers SET: with GET the old value (or null), else OK if it
// wrote and null if a condition stopped it.
func (r *request) setReply(o setOptions, old []byte, existed, wrote bool) {
	switch {
	case o.get && existed:
		r.conn.WriteBulk(old)
	case o.get, !wrote:
		r.null()
	default:
		r.conn.WriteString("OK")
	}
}
