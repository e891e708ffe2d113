package kv

import "bytes"

// Get returns the item stored under key. Its slices are copies.
func (s *Store) Get(key []byte) (Item, bool, error) {
	if err := s.limits.checkKey(key); err != nil {
		return Item{}, false, err
	}
	e, found := s.lookup(key)
	if !found {
		return Item{}, false, nil
	}
	return s.recs().item(e).clone(), true, nil
}

// Put stores value under key and returns its new version.
func (s *Store) Put(key, value []byte) (uint64, error) {
	if err := s.limits.Validate(NewPut(key, value)); err != nil {
		return 0, err
	}
	return s.write(key, value), nil
}

// Delete removes key and reports whether it existed.
func (s *Store) Delete(key []byte) (bool, error) {
	if err := s.limits.checkKey(key); err != nil {
		return false, err
	}
	return s.remove(key), nil
}

// CAS stores value under key if the key's current version is expected,
// where 0 means the key must not exist. It returns whether it swapped and
// the key's version afterwards: the new version if it swapped, the current
// one (0 if absent) if not.
func (s *Store) CAS(key []byte, expected uint64, value []byte) (uint64, bool, error) {
	if err := s.limits.Validate(NewCAS(key, expected, value)); err != nil {
		return 0, false, err
	}
	version, swapped := s.cas(key, expected, value)
	return version, swapped, nil
}

// cas is CAS without validation.
func (s *Store) cas(key []byte, expected uint64, value []byte) (uint64, bool) {
	var current uint64
	if e, found := s.lookup(key); found {
		current = s.recs().version(e)
	}
	if current != expected {
		return current, false
	}
	return s.write(key, value), true
}

// Scan returns, in key order, at most limit items in [start, end), and
// whether more remain in range. An empty end means no upper bound; a limit
// of 0 means Limits.MaxScan. The items are copies.
func (s *Store) Scan(start, end []byte, limit int) ([]Item, bool, error) {
	if err := s.limits.Validate(NewScan(start, end, limit)); err != nil {
		return nil, false, err
	}
	items, more := s.scan(start, end, limit)
	return cloneItems(items), more, nil
}

// ScanPrefix returns, in key order, at most limit items whose key starts
// with prefix, and whether more remain. A limit of 0 means Limits.MaxScan.
// The items are copies.
func (s *Store) ScanPrefix(prefix []byte, limit int) ([]Item, bool, error) {
	if err := s.limits.Validate(NewScanPrefix(prefix, limit)); err != nil {
		return nil, false, err
	}
	items, more := s.scan(prefix, prefixEnd(prefix), limit)
	return cloneItems(items), more, nil
}

// scan collects the items in [start, end) (end nil: unbounded) up to the
// limit and the byte budget. The items alias the store.
func (s *Store) scan(start, end []byte, limit int) ([]Item, bool) {
	if limit == 0 {
		limit = s.limits.MaxScan
	}
	if len(end) > 0 && bytes.Compare(start, end) >= 0 {
		return nil, false
	}
	var items []Item
	var size int
	more := false
	recs := s.recs()
	visit := func(e entry) bool {
		if len(end) > 0 && bytes.Compare(recs.key(e), end) >= 0 {
			return false
		}
		size += int(entrySize(e))
		if len(items) == limit || (len(items) > 0 && size > s.limits.MaxScanBytes) {
			more = true
			return false
		}
		items = append(items, recs.item(e))
		return true
	}
	s.arena.probeKey = start
	s.tree.AscendGreaterOrEqual(probe(start), visit)
	s.arena.probeKey = nil
	return items, more
}

// prefixEnd returns the first key after every key starting with prefix, or
// nil if there is none (empty prefix, or all 0xff bytes).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func (it Item) clone() Item {
	return Item{Key: bytes.Clone(it.Key), Value: bytes.Clone(it.Value), Version: it.Version}
}

func cloneItems(items []Item) []Item {
	for i := range items {
		items[i] = items[i].clone()
	}
	return items
}

// PrefixEnd returns the first key after every key starting with prefix,
// or nil if there is none: the end of ScanPrefix's range, for another
// engine of this state machine.
func PrefixEnd(prefix []byte) []byte { return prefixEnd(prefix) }
