package kv

import "bytes"

// Apply decodes op, executes it and returns the encoded Result. It never
// panics: an undecodable or invalid op yields a Result with an error code
// and leaves the state unchanged. Apply is deterministic; the in-memory
// store does not need the op-number.
func (s *Store) Apply(_ uint64, op []byte) []byte {
	c, err := DecodeCommand(op)
	if err != nil {
		return Result{Code: CodeBadCommand}.Encode()
	}
	return s.exec(c).Encode()
}

// Execute executes c and returns its Result, whose slices are copies.
func (s *Store) Execute(c Command) Result {
	res := s.exec(c)
	res.Value = bytes.Clone(res.Value)
	res.Items = cloneItems(res.Items)
	return res
}

// exec executes c. The Result's slices alias the store.
func (s *Store) exec(c Command) Result {
	if err := s.limits.Validate(c); err != nil {
		return Result{Kind: c.Kind, Code: CodeOf(err)}
	}
	res := Result{Kind: c.Kind}
	switch c.Kind {
	case KindGet:
		var e entry
		e, res.Found = s.lookup(c.Key)
		if res.Found {
			res.Value, res.Version = s.recs().value(e), s.recs().version(e)
		}
	case KindPut:
		res.Version = s.write(c.Key, c.Value)
	case KindDelete:
		res.Found = s.remove(c.Key)
	case KindCAS:
		res.Version, res.Swapped = s.cas(c.Key, c.Expected, c.Value)
	case KindScan:
		res.Items, res.More = s.scan(c.Key, c.End, c.Limit)
	case KindScanPrefix:
		res.Items, res.More = s.scan(c.Key, prefixEnd(c.Key), c.Limit)
	case KindIncr:
		res.Counter, res.Version, res.Code = s.incr(c.Key, c.Delta)
	case KindBatch:
		res.Batch = make([]Result, len(c.Batch))
		for i, sub := range c.Batch {
			res.Batch[i] = s.exec(sub)
		}
	}
	return res
}
