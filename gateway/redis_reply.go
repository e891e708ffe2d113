package gateway

import (
	"errors"
	"fmt"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

// fail answers err in Redis's error format. Redis clients match the first
// word: ERR for most, TRYAGAIN (retry is safe: nothing was applied) when
// the cluster did not answer a read or an unsent write.
func (r *request) fail(err error) {
	r.conn.WriteError(redisError(err))
	if classify(err) == failInternal {
		r.srv.cfg.Logger.Warn("redis gateway: command failed", "cmd", r.name, "err", err)
	}
}

// redisError is the text of the error reply for err.
func redisError(err error) string {
	switch {
	case errors.Is(err, kv.ErrNotInteger):
		return "ERR value is not an integer or out of range"
	case errors.Is(err, kv.ErrOverflow):
		return "ERR increment or decrement would overflow"
	case errors.Is(err, kv.ErrEmptyKey):
		return "ERR empty keys are not supported"
	case errors.Is(err, kv.ErrKeyTooLarge), errors.Is(err, kv.ErrValueTooLarge), errors.Is(err, ErrTooLarge):
		return "ERR " + err.Error()
	}
	if classify(err) != failUnavailable {
		return "ERR " + err.Error()
	}
	if outcome(err) == "unknown" {
		return "ERR cluster did not answer in time; the write may have been applied (" + err.Error() + ")"
	}
	return "TRYAGAIN cluster unavailable; not applied (" + err.Error() + ")"
}

// errSyntax is Redis's reply to bad options.
const errSyntax = "ERR syntax error"

// errNotInt is Redis's reply to a number argument that does not parse.
const errNotInt = "ERR value is not an integer or out of range"

// casFailure is the reply to a VRCAS whose expected version is not the
// key's: a MISMATCH error naming the current version (0: absent).
func casFailure(err error) (string, bool) {
	var ce *client.CASError
	if !errors.As(err, &ce) {
		return "", false
	}
	return fmt.Sprintf("MISMATCH current version is %d", ce.Current), true
}
