package pebblekv

import (
	"fmt"
	"os"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/vr-go/vr/kv"
)

// The default Pebble sizes.
const (
	DefaultCacheSize    = 8 << 20
	DefaultMemTableSize = 32 << 20
)

// Options configure a Store.
type Options struct {
	// Limits bound commands as in kv.Store; all replicas must agree.
	Limits kv.Limits
	// CacheSize is Pebble's block cache in bytes (0: DefaultCacheSize).
	CacheSize int64
	// MemTableSize is one Pebble memtable in bytes (0:
	// DefaultMemTableSize). Up to two may be in memory at once.
	MemTableSize uint64
	// Verbose lets Pebble log its informational messages to stderr.
	Verbose bool
}

// withDefaults fills zero fields.
func (o Options) withDefaults() Options {
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	o.Limits = limitsWithDefaults(o.Limits)
	return o
}

// limitsWithDefaults replaces zero or negative fields by kv's defaults,
// as kv.New does.
func limitsWithDefaults(l kv.Limits) kv.Limits {
	d := kv.DefaultLimits()
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

// pebbleOptions returns the Pebble options for o; the caller must Unref
// the returned cache once the DB is open (the DB holds its own reference).
func (o Options) pebbleOptions() (*pebble.Options, *pebble.Cache) {
	cache := pebble.NewCache(o.CacheSize)
	po := &pebble.Options{
		DisableWAL:         true,
		Cache:              cache,
		MemTableSize:       o.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{verbose: o.Verbose},
	}
	// A Bloom filter on every level (later levels inherit L0's) spares
	// Gets the sstables that cannot hold the key.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	return po, cache
}

// quietLogger drops Pebble's informational messages unless verbose.
type quietLogger struct{ verbose bool }

// Infof logs an informational message if verbose.
func (l quietLogger) Infof(format string, args ...any) {
	if l.verbose {
		fmt.Fprintf(os.Stderr, "pebble: "+format+"\n", args...)
	}
}

// Errorf logs an error.
func (quietLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pebble: error: "+format+"\n", args...)
}

// Fatalf panics: Pebble cannot go on.
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: fatal: "+format, args...))
}
