package kv

import "fmt"

// The default limits.
const (
	DefaultMaxKey       = 4 << 10
	DefaultMaxValue     = 1 << 20
	DefaultMaxScan      = 1000
	DefaultMaxScanBytes = 4 << 20
)

// Limits bound the size of commands and results. All replicas of a group
// must use the same Limits, or Apply stops being deterministic across them.
type Limits struct {
	// MaxKey is the longest key, scan bound or prefix, in bytes.
	MaxKey int
	// MaxValue is the longest value, in bytes.
	MaxValue int
	// MaxScan is the largest scan limit; a limit of 0 means MaxScan.
	MaxScan int
	// MaxScanBytes bounds the keys and values one scan returns. A scan
	// stops early (reporting More) before the item that would exceed it,
	// but always returns at least one item if any is in range.
	MaxScanBytes int
}

// DefaultLimits returns 4 KiB keys, 1 MiB values, scans of up to 1000 items
// and 4 MiB.
func DefaultLimits() Limits {
	return Limits{
		MaxKey:       DefaultMaxKey,
		MaxValue:     DefaultMaxValue,
		MaxScan:      DefaultMaxScan,
		MaxScanBytes: DefaultMaxScanBytes,
	}
}

// withDefaults replaces fields that are zero or negative by the defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxKey <= 0 {
		l.MaxKey = d.MaxKey
	}
	if l.MaxValue <= 0 {
		l.MaxValue = d.MaxValue
	}
	if l.MaxScan <= 0 {
		l.MaxScan = d.MaxScan
	}
	if l.MaxScanBytes <= 0 {
		l.MaxScanBytes = d.MaxScanBytes
	}
	return l
}

// Validate reports whether the store would accept c, so that a client can
// reject bad input before sending it. Zero or negative limits fields stand
// for their defaults. The error wraps one of the sentinel errors.
func (l Limits) Validate(c Command) error {
	l = l.withDefaults()
	switch c.Kind {
	case KindGet, KindDelete, KindIncr:
		return l.checkKey(c.Key)
	case KindPut, KindCAS:
		if err := l.checkKey(c.Key); err != nil {
			return err
		}
		return l.checkValue(c.Value)
	case KindScan:
		if err := l.checkBound("scan start", c.Key); err != nil {
			return err
		}
		if err := l.checkBound("scan end", c.End); err != nil {
			return err
		}
		return l.checkScanLimit(c.Limit)
	case KindScanPrefix:
		if err := l.checkBound("prefix", c.Key); err != nil {
			return err
		}
		return l.checkScanLimit(c.Limit)
	case KindBatch:
		return l.checkBatch(c.Batch)
	}
	return fmt.Errorf("%w: unknown kind %d", ErrBadCommand, uint8(c.Kind))
}

func (l Limits) checkKey(key []byte) error {
	if len(key) == 0 {
		return ErrEmptyKey
	}
	return l.checkBound("key", key)
}

func (l Limits) checkBound(what string, b []byte) error {
	if len(b) > l.MaxKey {
		return fmt.Errorf("%w: %s is %d bytes, max %d", ErrKeyTooLarge, what, len(b), l.MaxKey)
	}
	return nil
}

func (l Limits) checkValue(v []byte) error {
	if len(v) > l.MaxValue {
		return fmt.Errorf("%w: value is %d bytes, max %d", ErrValueTooLarge, len(v), l.MaxValue)
	}
	return nil
}

func (l Limits) checkScanLimit(n int) error {
	if n < 0 || n > l.MaxScan {
		return fmt.Errorf("%w: %d not in [0,%d]", ErrScanLimit, n, l.MaxScan)
	}
	return nil
}

// WithDefaults returns l with the fields that are zero or negative
// replaced by the defaults, as New does.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }
