package loadgen

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Distributions of keys.
const (
	Uniform = "uniform" // every key equally likely
	Zipf    = "zipf"    // key i has weight about 1/(1+i)^ZipfS
)

// ZipfS is the exponent of the Zipf distribution.
const ZipfS = 1.1

// DefaultKeySize is the key width used when Config.KeySize is 0.
const DefaultKeySize = 8

// Config describes a workload. Exactly one of Duration and Ops is set.
type Config struct {
	Clients      int           // concurrent closed-loop clients (goroutines)
	Duration     time.Duration // measured time, after Warmup
	Ops          int           // alternative to Duration: total measured operations
	Keys         int           // number of distinct keys
	Distribution string        // Uniform (default when empty) or Zipf
	ValueSize    int           // bytes per written value (0: empty values)
	ReadRatio    float64       // fraction of operations that are Gets, 0..1
	KeySize      int           // key width in bytes; 0 means DefaultKeySize
	Warmup       time.Duration // load applied but not measured before measuring
	Seed         uint64        // seeds every client's random source
	// Progress, if set, is called about once per second while Run runs,
	// from a goroutine of its own.
	Progress func(Snapshot)
}

// withDefaults fills fields whose zero value means "default".
func (c Config) withDefaults() Config {
	if c.KeySize == 0 {
		c.KeySize = DefaultKeySize
	}
	if c.Distribution == "" {
		c.Distribution = Uniform
	}
	return c
}

// Validate reports every problem with c (joined into one error), after
// defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Clients < 1 {
		add("clients must be at least 1, got %d", c.Clients)
	}
	switch {
	case c.Duration < 0 || c.Ops < 0:
		add("duration (%v) and ops (%d) must not be negative", c.Duration, c.Ops)
	case c.Duration > 0 && c.Ops > 0:
		add("set either a duration or an op count, not both")
	case c.Duration == 0 && c.Ops == 0:
		add("set a duration or an op count")
	}
	if c.Distribution != Uniform && c.Distribution != Zipf {
		add("distribution %q: use %q or %q", c.Distribution, Uniform, Zipf)
	}
	if c.ValueSize < 0 {
		add("value size must not be negative, got %d", c.ValueSize)
	}
	if math.IsNaN(c.ReadRatio) || c.ReadRatio < 0 || c.ReadRatio > 1 {
		add("read ratio must be within 0..1, got %v", c.ReadRatio)
	}
	if c.Warmup < 0 {
		add("warmup must not be negative, got %v", c.Warmup)
	}
	if err := c.validateKeys(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validateKeys checks that Keys distinct keys fit in KeySize decimal digits.
func (c Config) validateKeys() error {
	if c.KeySize < 1 || c.KeySize > 1024 {
		return fmt.Errorf("key size must be within 1..1024 bytes, got %d", c.KeySize)
	}
	if c.Keys < 1 {
		return fmt.Errorf("keys must be at least 1, got %d", c.Keys)
	}
	if c.KeySize < 19 && uint64(c.Keys-1) >= pow10(c.KeySize) {
		return fmt.Errorf("%d keys do not fit in %d-byte keys (at most %d)", c.Keys, c.KeySize, pow10(c.KeySize))
	}
	return nil
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}
