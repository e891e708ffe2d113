package pebblekv

import (
	"bytes"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// stagePut stages value under key at version. It is a blind write: unlike
// the in-memory tree, a Put reads nothing.
func (s *Store) stagePut(key, value []byte, version uint64) error {
	s.keyBuf = appendDataKey(s.keyBuf[:0], key)
	s.valBuf = appendStored(s.valBuf[:0], version, value)
	return s.batch.Set(s.keyBuf, s.valBuf, nil)
}

// stageDelete stages the deletion of key and reports whether it existed.
// A missing key is not a mutation.
func (s *Store) stageDelete(key []byte) (bool, error) {
	_, _, found, err := s.get(key)
	if err != nil || !found {
		return false, err
	}
	s.keyBuf = appendDataKey(s.keyBuf[:0], key)
	return true, s.batch.Delete(s.keyBuf, nil)
}

// stageCAS stages value under key at version if the key's current version
// is expected (0: absent). It returns the key's version afterwards and
// whether it swapped, as kv.Store.CAS.
func (s *Store) stageCAS(key []byte, expected uint64, value []byte, version uint64) (uint64, bool, error) {
	current, _, _, err := s.get(key)
	if err != nil {
		return 0, false, err
	}
	if current != expected {
		return current, false, nil
	}
	return version, true, s.stagePut(key, value, version)
}

// scan collects, in key order, the items in [start, end) (end empty:
// unbounded) up to limit (0: Limits.MaxScan) and Limits.MaxScanBytes,
// exactly as kv.Store's scan. The items are copies.
func (s *Store) scan(start, end []byte, limit int) ([]kv.Item, bool, error) {
	if limit == 0 {
		limit = s.opts.Limits.MaxScan
	}
	if len(end) > 0 && bytes.Compare(start, end) >= 0 {
		return nil, false, nil
	}
	upper := dataEnd
	if len(end) > 0 {
		upper = appendDataKey(nil, end)
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: appendDataKey(nil, start), UpperBound: upper})
	if err != nil {
		return nil, false, err
	}
	var items []kv.Item
	size, more := 0, false
	for ok := it.First(); ok; ok = it.Next() {
		stored, err := it.ValueAndErr()
		if err != nil {
			_ = it.Close()
			return nil, false, err
		}
		key := it.Key()[1:]
		version, value, err := parseStored(stored)
		if err != nil {
			_ = it.Close()
			return nil, false, err
		}
		size += len(key) + len(value)
		if len(items) == limit || (len(items) > 0 && size > s.opts.Limits.MaxScanBytes) {
			more = true
			break
		}
		items = append(items, kv.Item{Key: bytes.Clone(key), Value: bytes.Clone(value), Version: version})
	}
	return items, more, it.Close()
}
