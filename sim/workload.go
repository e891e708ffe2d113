package sim

import (
	"bytes"
	"strconv"

	"github.com/vr-go/vr/kv"
)

// keyName returns the name of key i of the key set, "k<i>" (a new slice:
// the command keeps it).
func keyName(i int) []byte { return strconv.AppendInt(append(make([]byte, 0, 8), 'k'), int64(i), 10) }

// clientValue returns the value client idx writes as its n-th, "c<idx>-<n>"
// (a new slice: the command keeps it).
func clientValue(idx, n int) []byte {
	v := strconv.AppendInt(append(make([]byte, 0, 16), 'c'), int64(idx), 10)
	return strconv.AppendInt(append(v, '-'), int64(n), 10)
}

// randomCommand picks an operation on the small key set, so that
// operations conflict often. In runs with the multi-key workload some reads
// become scans and some writes open a batch of writes.
func (r *run) randomCommand(c *client) kv.Command {
	key := keyName(r.rng.IntN(r.opts.Keys))
	if r.readers[c.idx] {
		c.values++
		return kv.NewGet(key)
	}
	x := r.rng.IntN(100)
	cmd := r.singleKeyCommand(c, x, key, r.chance)
	if !c.wl.multi {
		return cmd
	}
	switch {
	case cmd.Kind == kv.KindGet && c.rng.IntN(100) < 40:
		return r.randomScan(c)
	case cmd.Kind != kv.KindGet && c.rng.IntN(100) < 30:
		return r.randomBatch(c, cmd)
	}
	return cmd
}

// singleKeyCommand is the operation on key that x in [0, 100) picks: 30%
// Get, 30% Put, 15% Delete, 25% CAS (expecting the version the client
// last saw, or absence with probability 0.2, drawn with chance).
func (r *run) singleKeyCommand(c *client, x int, key []byte, chance func(float64) bool) kv.Command {
	c.values++
	value := r.padValue(c, clientValue(c.idx, c.values))
	switch {
	case x < 30:
		return kv.NewGet(key)
	case x < 60:
		return kv.NewPut(key, value)
	case x < 75:
		return kv.NewDelete(key)
	}
	expected := c.versions[string(key)]
	if chance(0.2) {
		expected = 0
	}
	return kv.NewCAS(key, expected, value)
}

// randomScan picks a scan of the key set: all of it, a range, or a prefix,
// with no limit or a limit of 1 or 2.
func (r *run) randomScan(c *client) kv.Command {
	keyN := keyName
	limit := []int{0, 0, 1, 2}[c.rng.IntN(4)]
	switch c.rng.IntN(4) {
	case 0:
		return kv.NewScan(nil, nil, limit)
	case 1:
		lo := c.rng.IntN(r.opts.Keys)
		hi := lo + 1 + c.rng.IntN(r.opts.Keys-lo)
		var end []byte
		if hi < r.opts.Keys {
			end = keyN(hi)
		}
		return kv.NewScan(keyN(lo), end, limit)
	case 2:
		return kv.NewScanPrefix([]byte("k"), limit)
	}
	return kv.NewScanPrefix(keyN(c.rng.IntN(r.opts.Keys)), limit)
}

// randomBatch returns a batch of first and one to three more writes, as a
// client coalescing concurrent writes sends them: one request, one log
// entry, applied atomically.
func (r *run) randomBatch(c *client, first kv.Command) kv.Command {
	cmds := []kv.Command{first}
	more := 1 + c.rng.IntN(3)
	if w := r.opts.Faults.BatchWrites; w > 1 {
		more = 1 + c.rng.IntN(w-1)
	}
	for n := more; n > 0; n-- {
		key := keyName(c.rng.IntN(r.opts.Keys))
		x := 30 + c.rng.IntN(70) // a write
		cmds = append(cmds, r.singleKeyCommand(c, x, key, func(p float64) bool { return c.rng.Float64() < p }))
	}
	return kv.NewBatch(cmds)
}

// padValue makes one value in two of a profile with large values up to
// LargeValues bytes long, within what is left of the request's budget
// (c.budget, renewed by startOp): a batch of many writes stays one
// request under the replicas' bound. Other profiles draw nothing here.
func (r *run) padValue(c *client, v []byte) []byte {
	if r.opts.Faults.LargeValues == 0 || c.rng.IntN(2) != 0 || c.budget <= len(v) {
		return v
	}
	n := len(v) + c.rng.IntN(c.budget-len(v))
	c.budget -= n
	return append(v, bytes.Repeat([]byte{'.'}, n-len(v))...)
}
