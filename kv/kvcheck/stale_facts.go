package kvcheck

import "math"

// facts returns what operation i saw of its keys in its source's state,
// computed once.
func (c *staleChecker) facts(i int) []fact {
	if c.factsOf == nil {
		c.factsOf = make([][]fact, len(c.ins))
	}
	if c.factsOf[i] == nil && !c.outs[i].Unknown {
		since := c.ops[i].Call // a linearizable operation takes effect after its call
		if c.ins[i].Stale {
			since = math.MinInt64 // a stale read's state can be arbitrarily old
		}
		c.factsOf[i] = c.opFacts(c.ins[i], c.outs[i], c.ops[i].Call, since, []fact{})
	}
	return c.factsOf[i]
}

// opFacts appends the facts of one operation (or batch member) called at
// call, whose absent keys were absent at or after since.
func (c *staleChecker) opFacts(in Input, out Output, call, since int64, fs []fact) []fact {
	switch in.Op {
	case OpGet:
		if out.Found {
			return append(fs, c.foundFact(in.Key, out.Value, out.Version))
		}
		return append(fs, fact{key: in.Key, since: since})
	case OpPut:
		return append(fs, fact{key: in.Key, found: true, value: in.Value, version: out.Version, since: call})
	case OpCAS:
		switch {
		case out.Swapped:
			return append(fs, fact{key: in.Key, found: true, value: in.Value, version: out.Version, since: call})
		case out.Version == 0:
			return append(fs, fact{key: in.Key, since: since})
		}
		// A failed CAS reports the current version, not the value.
		return append(fs, fact{key: in.Key, found: true, version: out.Version, since: c.versionSince(in.Key, out.Version)})
	case OpDelete:
		return append(fs, fact{key: in.Key, since: since})
	case OpScan, OpScanPrefix:
		return c.scanFacts(in, out, since, fs)
	case OpBatch:
		for i, sub := range in.Batch {
			fs = c.opFacts(sub, out.Batch[i], call, since, fs)
		}
	}
	return fs
}

// scanFacts appends the items a scan found and the keys of the history it
// shows absent: those in range it did not return, below its last item if
// it stopped at its limit.
func (c *staleChecker) scanFacts(in Input, out Output, since int64, fs []fact) []fact {
	returned := map[string]bool{}
	for _, it := range out.Items {
		fs = append(fs, c.foundFact(it.Key, it.Value, it.Version))
		returned[it.Key] = true
	}
	for _, k := range c.keys {
		if !inRange(in, k) || returned[k] {
			continue
		}
		if out.More && (len(out.Items) == 0 || k > out.Items[len(out.Items)-1].Key) {
			continue
		}
		fs = append(fs, fact{key: k, since: since})
	}
	return fs
}

// foundFact is a read of key = value at version: the write it saw began at
// or after the earliest call of a write that can have set them.
func (c *staleChecker) foundFact(key, value string, version uint64) fact {
	f := fact{key: key, found: true, value: value, version: version, since: math.MaxInt64}
	for _, w := range c.writes[[2]string{key, value}] {
		if w.version == 0 || w.version == version {
			f.since = min(f.since, w.call)
		}
	}
	if f.since == math.MaxInt64 {
		f.since = math.MinInt64 // never written: checkRead reports it
	}
	return f
}

// versionSince is the earliest call of a write that reported version of
// key, math.MinInt64 if none did.
func (c *staleChecker) versionSince(key string, version uint64) int64 {
	if t, ok := c.versions[key][version]; ok {
		return t
	}
	return math.MinInt64
}
