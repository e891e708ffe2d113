//go:build linux

package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv/kvcheck"
)

// absent stands for "the key does not exist" among possible final values.
const absent = "(absent)"

// readBack reads every key once the workers stopped, recording the reads
// in the history too, and returns each key's value or absent.
func (w *workload) readBack(ctx context.Context, addrs []string) (map[string]string, error) {
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, Static: !w.discover, Sessions: 1})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	clientID := w.clients // the workers are 0..w.clients-1
	final := map[string]string{}
	for _, key := range w.keys {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		id := w.rec.Begin(clientID, kvcheck.Input{Op: kvcheck.OpGet, Key: key})
		v, ver, err := c.Get(rctx, []byte(key))
		cancel()
		switch {
		case err == nil:
			w.rec.End(id, kvcheck.Output{Found: true, Value: string(v), Version: ver})
			final[key] = string(v)
		case errors.Is(err, client.ErrNotFound):
			w.rec.End(id, kvcheck.Output{})
			final[key] = absent
		default:
			return nil, fmt.Errorf("final read of %s: %w", key, err)
		}
	}
	return final, nil
}

// write is one write in the history: what it leaves the key holding.
type write struct {
	op    porcupine.Operation
	value string // or absent
}

// writesOf splits the history's writes to key into acknowledged ones and
// ones with unknown outcome. A CAS that did not swap is no write.
func writesOf(ops []porcupine.Operation, key string) (acked, unknown []write) {
	for _, op := range ops {
		in, out := op.Input.(kvcheck.Input), op.Output.(kvcheck.Output)
		if in.Key != key || in.Op == kvcheck.OpGet || (in.Op == kvcheck.OpCAS && !out.Unknown && !out.Swapped) {
			continue
		}
		wr := write{op: op, value: in.Value}
		if in.Op == kvcheck.OpDelete {
			wr.value = absent
		}
		if out.Unknown {
			unknown = append(unknown, wr)
		} else {
			acked = append(acked, wr)
		}
	}
	return acked, unknown
}

// lastAcked returns the acknowledged writes that no other acknowledged
// write follows in real time: any of them may be the last one. A write is
// followed iff some write was invoked after it returned.
func lastAcked(acked []write) []write {
	var latestCall int64
	for _, w := range acked {
		latestCall = max(latestCall, w.op.Call)
	}
	var last []write
	for _, w := range acked {
		if w.op.Return >= latestCall {
			last = append(last, w)
		}
	}
	return last
}

// checkNoLostWrites checks that each key's final value is that of a last
// acknowledged write, or of a write with unknown outcome (which may take
// effect at any time after its call), or absent if nothing was written.
func checkNoLostWrites(t *testing.T, ops []porcupine.Operation, final map[string]string) {
	t.Helper()
	lost := 0
	for key, got := range final {
		acked, unknown := writesOf(ops, key)
		allowed := append(lastAcked(acked), unknown...)
		if len(acked) == 0 {
			allowed = append(allowed, write{value: absent})
		}
		if !slices.ContainsFunc(allowed, func(w write) bool { return w.value == got }) {
			lost++
			t.Errorf("key %s reads %q after the faults, but the last acknowledged write(s) left %s "+
				"and the writes with unknown outcome %s: an acknowledged write was lost",
				key, got, values(lastAcked(acked)), values(unknown))
		}
	}
	if lost == 0 {
		t.Logf("final values of %d keys match their last acknowledged writes", len(final))
	}
}

func values(ws []write) string {
	var vs []string
	for _, w := range ws {
		vs = append(vs, fmt.Sprintf("%q", w.value))
	}
	return "[" + strings.Join(vs, " ") + "]"
}
