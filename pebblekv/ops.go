package pebblekv

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// lookup reads key's entry through the batch (so a batch's later command
// sees its earlier writes). The value is a copy.
func (s *Store) lookup(key []byte) (stored, bool) {
	s.keyBuf = dataKey(s.keyBuf[:0], s.gen, key)
	b, closer, err := s.batch.Get(s.keyBuf)
	if errors.Is(err, pebble.ErrNotFound) {
		return stored{}, false
	}
	if err != nil {
		panic(fmt.Errorf("pebblekv: get: %w", err))
	}
	defer closer.Close()
	e, err := parseStored(b)
	if err != nil {
		panic(err)
	}
	e.value = bytes.Clone(e.value)
	return e, true
}

// write stores value under key at a new revision and returns the version.
// It is a blind write: it reads nothing, which is why the store keeps no
// count of its keys and no digest. A Put that read the old entry (for the
// digest's sum, as kv.Store keeps it) took 35-41 µs instead of 6 at 200k
// keys of 1 KiB (BenchmarkApplyPut): a point read misses the block cache
// while compactions rewrite the files it caches.
func (s *Store) write(key, value []byte) uint64 {
	s.revision++
	s.valBuf = appendStored(s.valBuf[:0], s.revision, value)
	s.keyBuf = dataKey(s.keyBuf[:0], s.gen, key)
	if err := s.batch.Set(s.keyBuf, s.valBuf, nil); err != nil {
		panic(fmt.Errorf("pebblekv: set: %w", err))
	}
	s.changes.note(key, len(key)+len(value))
	return s.revision
}

// remove deletes key at a new revision and reports whether it existed; a
// missing key is not a mutation.
func (s *Store) remove(key []byte) bool {
	if _, found := s.lookup(key); !found {
		return false
	}
	s.revision++
	s.keyBuf = dataKey(s.keyBuf[:0], s.gen, key)
	if err := s.batch.Delete(s.keyBuf, nil); err != nil {
		panic(fmt.Errorf("pebblekv: delete: %w", err))
	}
	s.changes.note(key, len(key))
	return true
}

// cas writes value if key's version is expected (0: absent), as kv.Store.
func (s *Store) cas(key []byte, expected uint64, value []byte) (uint64, bool) {
	cur, _ := s.lookup(key)
	if cur.version != expected {
		return cur.version, false
	}
	return s.write(key, value), true
}

// incr adds delta to the decimal integer under key, as kv.Store.
func (s *Store) incr(key []byte, delta int64) (int64, uint64, kv.Code) {
	var n int64
	if e, found := s.lookup(key); found {
		var ok bool
		if n, ok = kv.ParseCounter(e.value); !ok {
			return 0, 0, kv.CodeNotInteger
		}
	}
	if (delta > 0 && n > math.MaxInt64-delta) || (delta < 0 && n < math.MinInt64-delta) {
		return 0, 0, kv.CodeOverflow
	}
	n += delta
	return n, s.write(key, strconv.AppendInt(nil, n, 10)), kv.CodeOK
}

// scan collects the items in [start, end) (end empty: unbounded) up to
// limit (0: Limits.MaxScan) and Limits.MaxScanBytes, as kv.Store's scan.
// The items are copies.
func (s *Store) scan(start, end []byte, limit int) ([]kv.Item, bool) {
	if limit == 0 {
		limit = s.limits.MaxScan
	}
	if len(end) > 0 && bytes.Compare(start, end) >= 0 {
		return nil, false
	}
	_, upper := genBounds(s.gen)
	if len(end) > 0 {
		upper = dataKey(nil, s.gen, end)
	}
	it, err := s.batch.NewIter(&pebble.IterOptions{LowerBound: dataKey(nil, s.gen, start), UpperBound: upper})
	if err != nil {
		panic(fmt.Errorf("pebblekv: scan: %w", err))
	}
	var items []kv.Item
	size, more := 0, false
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			panic(fmt.Errorf("pebblekv: scan: %w", err))
		}
		e, err := parseStored(v)
		if err != nil {
			panic(err)
		}
		key := it.Key()[1:]
		size += len(key) + len(e.value)
		if len(items) == limit || (len(items) > 0 && size > s.limits.MaxScanBytes) {
			more = true
			break
		}
		items = append(items, kv.Item{Key: bytes.Clone(key), Value: bytes.Clone(e.value), Version: e.version})
	}
	if err := it.Close(); err != nil {
		panic(fmt.Errorf("pebblekv: scan: %w", err))
	}
	return items, more
}
