package kv

import (
	"math"
	"strconv"
)

// maxCounterLen is the longest decimal int64: "-9223372036854775808".
const maxCounterLen = 20

// NewIncr returns a command adding delta to the integer stored under key.
// The value must be a decimal 64-bit integer (an absent key counts as 0);
// the sum is stored back as decimal text with a new version, all in one
// op, so concurrent increments never lose one another.
func NewIncr(key []byte, delta int64) Command {
	return Command{Kind: KindIncr, Key: key, Delta: delta}
}

// Incr adds delta to the integer under key and returns the new value and
// version. It fails with ErrNotInteger or ErrOverflow, changing nothing.
func (s *Store) Incr(key []byte, delta int64) (int64, uint64, error) {
	if err := s.limits.Validate(NewIncr(key, delta)); err != nil {
		return 0, 0, err
	}
	n, version, code := s.incr(key, delta)
	return n, version, code.Err()
}

// incr is Incr without validation. A rejection is a code, state unchanged.
func (s *Store) incr(key []byte, delta int64) (int64, uint64, Code) {
	var cur int64
	if e, found := s.lookup(key); found {
		var ok bool
		if cur, ok = ParseCounter(s.recs().value(e)); !ok {
			return 0, 0, CodeNotInteger
		}
	}
	if (delta > 0 && cur > math.MaxInt64-delta) || (delta < 0 && cur < math.MinInt64-delta) {
		return 0, 0, CodeOverflow
	}
	n := cur + delta
	return n, s.write(key, strconv.AppendInt(nil, n, 10)), CodeOK
}

// ParseCounter parses a value as Incr does: canonical decimal text of a
// 64-bit integer, as Redis accepts it ("-5", "0", "42"; not "+5", "05",
// " 5", "-0" or "").
func ParseCounter(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > maxCounterLen {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || string(strconv.AppendInt(nil, n, 10)) != string(v) {
		return 0, false
	}
	return n, true
}
