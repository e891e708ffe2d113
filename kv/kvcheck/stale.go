package kvcheck

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/anishathalye/porcupine"
)

// ErrStaleRead reports (wrapped) a stale read that broke its promise; see
// CheckStale.
var ErrStaleRead = errors.New("kvcheck: stale read broke its promise")

// CheckStale checks the stale reads of a history (operations whose Input
// has Stale set; Check leaves them out) against what a replica answering
// from its own state promises. It checks that a stale read
//
//   - returns only values some write of that key that began before the read
//     returned could have written: a Put, a swapping or unknown CAS, or such
//     a write in a batch, with the version that write reported if it
//     reported one (nothing never written, nothing from the future);
//   - returns a well-formed scan: keys in range, in order, within its limit;
//   - is not older than anything the same source was seen to hold (the
//     Source of the outputs): if an operation answered by source S returned
//     before a stale read answered by S began, the read sees each key as it
//     was then or later. A replica's state only moves forward, so this is
//     read-your-writes and monotonic reads for whoever reads at the
//     replica that answered them.
//
// "Older" is decided per key, soundly but not completely: a lower version
// than seen before; absent, when no delete of the key can have come after
// the write seen before; or a value written before a delete seen before
// (or before a linearizable read found the key absent). A stale read that
// returns an old but once-current state, with no earlier observation of the
// same source to contradict it, passes: that is what stale means.
//
// CheckStale returns nil, an error wrapping ErrStaleRead for the first
// broken promise, or one wrapping ErrBadHistory.
func CheckStale(ops []porcupine.Operation) error {
	if !slices.ContainsFunc(ops, isStale) {
		return nil
	}
	c, err := newStaleChecker(ops)
	if err != nil {
		return err
	}
	return c.check()
}

// isStale reports whether op is a stale read.
func isStale(op porcupine.Operation) bool {
	in, ok := op.Input.(Input)
	return ok && in.Stale
}

// writeRec is one write of a key and value: when it was called, when it
// returned (math.MaxInt64 if its outcome is unknown) and its version (0 if
// unknown).
type writeRec struct {
	call, ret int64
	version   uint64
}

// span is a call-return interval.
type span struct{ call, ret int64 }

// fact is one key as an operation saw it in its source's state.
type fact struct {
	key     string
	found   bool
	value   string // found, if known (a failed CAS reports only a version)
	version uint64 // found
	// since bounds when the state the fact describes was current: the
	// write a found fact saw began at or after it; an absent fact's state
	// is at or after it. math.MinInt64: nothing known.
	since int64
}

// staleChecker holds a validated history and its writes by key and value.
type staleChecker struct {
	ops     []porcupine.Operation
	ins     []Input
	outs    []Output
	keys    []string // every key the history names, sorted
	writes  map[[2]string][]writeRec
	deletes map[string][]span // deletes that removed a key, or may have
	// versions: by key and reported version, the earliest call of a write
	// that reported it.
	versions map[string]map[uint64]int64
	factsOf  [][]fact // by operation, filled by facts
}

func newStaleChecker(ops []porcupine.Operation) (*staleChecker, error) {
	c := &staleChecker{
		ops: ops, ins: make([]Input, len(ops)), outs: make([]Output, len(ops)),
		writes: map[[2]string][]writeRec{}, deletes: map[string][]span{},
		versions: map[string]map[uint64]int64{},
	}
	for i, op := range ops {
		in, okIn := op.Input.(Input)
		out, okOut := op.Output.(Output)
		if !okIn || !okOut {
			return nil, fmt.Errorf("%w: operation %d has input %T, output %T", ErrBadHistory, i, op.Input, op.Output)
		}
		if err := validate(in, out); err != nil {
			return nil, fmt.Errorf("%w: operation %d: %v", ErrBadHistory, i, err)
		}
		c.ins[i], c.outs[i] = in, out
		ret := op.Return
		if out.Unknown && !out.Settled {
			ret = math.MaxInt64
		}
		c.catalog(in, out, span{op.Call, ret})
	}
	c.keys = historyKeys(len(ops), func(i int) (Input, Output) { return c.ins[i], c.outs[i] })
	slices.Sort(c.keys)
	return c, nil
}

// catalog records the writes and deletes of one operation.
func (c *staleChecker) catalog(in Input, out Output, s span) {
	switch in.Op {
	case OpPut, OpCAS:
		if out.Unknown || in.Op == OpPut || out.Swapped {
			k := [2]string{in.Key, in.Value}
			c.writes[k] = append(c.writes[k], writeRec{s.call, s.ret, known(out)})
			c.noteVersion(in.Key, known(out), s.call)
		}
	case OpDelete:
		if out.Unknown || out.Found {
			c.deletes[in.Key] = append(c.deletes[in.Key], s)
		}
	case OpBatch:
		for i, sub := range in.Batch {
			subOut := Output{Unknown: true}
			if !out.Unknown {
				subOut = out.Batch[i]
			}
			c.catalog(sub, subOut, s)
		}
	}
}

// noteVersion records that a write of key called at call reported version
// (0: none).
func (c *staleChecker) noteVersion(key string, version uint64, call int64) {
	if version == 0 {
		return
	}
	m := c.versions[key]
	if m == nil {
		m = map[uint64]int64{}
		c.versions[key] = m
	}
	if t, ok := m[version]; !ok || call < t {
		m[version] = call
	}
}

// known is the version a write reported, 0 if its outcome is unknown.
func known(out Output) uint64 {
	if out.Unknown {
		return 0
	}
	return out.Version
}

// check checks every stale read against what its source was seen to hold
// by the operations that returned before the read began. It sweeps the
// reads in call order, folding in those operations in return order.
func (c *staleChecker) check() error {
	var answered, reads []int
	for i, out := range c.outs {
		if out.Unknown {
			continue
		}
		if out.Source != 0 {
			answered = append(answered, i)
		}
		if c.ins[i].Stale {
			reads = append(reads, i)
		}
	}
	slices.SortStableFunc(answered, func(x, y int) int { return cmp.Compare(c.ops[x].Return, c.ops[y].Return) })
	slices.SortStableFunc(reads, func(x, y int) int { return cmp.Compare(c.ops[x].Call, c.ops[y].Call) })
	seen := map[uint64]map[string]*strongest{} // by source and key
	j := 0
	for _, b := range reads {
		for ; j < len(answered) && c.ops[answered[j]].Return < c.ops[b].Call; j++ {
			c.remember(seen, answered[j])
		}
		if err := c.checkRead(b); err != nil {
			return err
		}
		if err := c.notOlder(seen[c.outs[b].Source], b); err != nil {
			return err
		}
	}
	return nil
}

// strongest keeps, for one source and key, the facts seen so far that are
// the hardest for a later read to agree with: the found fact with the
// highest version, the found fact and the absent fact with the latest
// since. Each rule of older only gets harder to meet as that version or
// time grows, so checking these three is checking every fact.
type strongest struct{ version, found, absent *witness }

// witness is a fact and the operation that saw it.
type witness struct {
	f  fact
	op int
}

// remember folds the facts of operation a into seen.
func (c *staleChecker) remember(seen map[uint64]map[string]*strongest, a int) {
	byKey := seen[c.outs[a].Source]
	if byKey == nil {
		byKey = map[string]*strongest{}
		seen[c.outs[a].Source] = byKey
	}
	for _, f := range c.facts(a) {
		s := byKey[f.key]
		if s == nil {
			s = &strongest{}
			byKey[f.key] = s
		}
		w := &witness{f, a}
		switch {
		case !f.found:
			if s.absent == nil || f.since > s.absent.f.since {
				s.absent = w
			}
		default:
			if s.version == nil || f.version > s.version.f.version {
				s.version = w
			}
			if s.found == nil || f.since > s.found.f.since {
				s.found = w
			}
		}
	}
}

// checkRead checks that stale read b is well formed and returns only
// values that were written.
func (c *staleChecker) checkRead(b int) error {
	in, out := c.ins[b], c.outs[b]
	if in.Op != OpGet {
		if err := wellFormedScan(in, out); err != nil {
			return c.fail(b, -1, "%v", err)
		}
	}
	for _, f := range c.facts(b) {
		if f.found && !c.wasWritten(f, c.ops[b].Return) {
			return c.fail(b, -1, "%q = %q @ %d was never written by a write begun before the read returned", f.key, f.value, f.version)
		}
	}
	return nil
}

// wellFormedScan checks a scan's items: in range, ascending, within the
// limit, and More only with a full result.
func wellFormedScan(in Input, out Output) error {
	for i, it := range out.Items {
		if !inRange(in, it.Key) || (i > 0 && it.Key <= out.Items[i-1].Key) {
			return fmt.Errorf("item %q out of range or order", it.Key)
		}
	}
	if in.Limit > 0 && (len(out.Items) > in.Limit || (out.More && len(out.Items) < in.Limit)) {
		return fmt.Errorf("%d items (more: %t) for a limit of %d", len(out.Items), out.More, in.Limit)
	}
	return nil
}

// wasWritten reports whether some write of f's key and value, begun by
// time by, can have set the version f saw.
func (c *staleChecker) wasWritten(f fact, by int64) bool {
	for _, w := range c.writes[[2]string{f.key, f.value}] {
		if w.call <= by && (w.version == 0 || w.version == f.version) {
			return true
		}
	}
	return false
}

// notOlder checks that stale read b sees no key older than its source was
// seen to hold before b began (byKey: the strongest facts by key).
func (c *staleChecker) notOlder(byKey map[string]*strongest, b int) error {
	for _, fb := range c.facts(b) {
		s := byKey[fb.key]
		if s == nil {
			continue
		}
		for _, w := range []*witness{s.version, s.found, s.absent} {
			if w == nil {
				continue
			}
			if why := c.older(w.f, fb, c.ops[b].Return); why != "" {
				return c.fail(b, w.op, "%q: %s", fb.key, why)
			}
		}
	}
	return nil
}

// older explains why fact fb of a read that returned at ret shows the key
// older than the earlier fact fa did, or returns "".
func (c *staleChecker) older(fa, fb fact, ret int64) string {
	switch {
	case fa.found && fb.found && fb.version < fa.version:
		return fmt.Sprintf("version %d after version %d", fb.version, fa.version)
	case fa.found && !fb.found && !c.deletedBetween(fa.key, fa.since, ret):
		return fmt.Sprintf("absent after version %d, and no delete can have come in between", fa.version)
	case !fa.found && fb.found && !c.writtenSince(fb, fa.since):
		return fmt.Sprintf("%q @ %d, written before the key was seen absent", fb.value, fb.version)
	}
	return ""
}

// deletedBetween reports whether some delete of key can have come after a
// write begun at since and before a read that returned at ret.
func (c *staleChecker) deletedBetween(key string, since, ret int64) bool {
	for _, d := range c.deletes[key] {
		if d.ret >= since && d.call <= ret {
			return true
		}
	}
	return false
}

// writtenSince reports whether the write f saw can have come at or after
// time since.
func (c *staleChecker) writtenSince(f fact, since int64) bool {
	for _, w := range c.writes[[2]string{f.key, f.value}] {
		if w.ret >= since {
			return true
		}
	}
	return false
}

// fail returns the error for stale read b, contradicting operation a
// (a < 0: none).
func (c *staleChecker) fail(b, a int, format string, args ...any) error {
	msg := fmt.Sprintf("%s (called at %d, returned at %d, source %d): %s", describeOperation(c.ins[b], c.outs[b]),
		c.ops[b].Call, c.ops[b].Return, c.outs[b].Source, fmt.Sprintf(format, args...))
	if a >= 0 {
		msg += fmt.Sprintf("; earlier, the same source answered %s (returned at %d)",
			describeOperation(c.ins[a], c.outs[a]), c.ops[a].Return)
	}
	return fmt.Errorf("%w: %s", ErrStaleRead, msg)
}
