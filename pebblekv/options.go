package pebblekv

import (
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/vr-go/vr/kv"
)

// The default Pebble sizes: small, since reads and writes go through the
// replica's log and the OS page cache anyway; raise CacheSize for
// read-heavy loads.
const (
	DefaultCacheSize    = 64 << 20
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
	// Logger takes Pebble's errors (and its informational messages at
	// debug level); nil: slog.Default().
	Logger *slog.Logger
	// FS holds the working copy; nil: the operating system's, where Open
	// empties dir first. Any other FS (vfs.NewMem(), for tests and the
	// simulator) must hold no database at dir.
	FS vfs.FS
}

func (o Options) withDefaults() Options {
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	o.Limits = o.Limits.WithDefaults()
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// pebbleOptions returns Pebble's options for o; the caller unrefs the
// cache once the database is open (the database holds its own reference).
func (o Options) pebbleOptions() (*pebble.Options, *pebble.Cache) {
	cache := pebble.NewCache(o.CacheSize)
	po := &pebble.Options{
		DisableWAL:         true, // the replica's log is the WAL
		Cache:              cache,
		MemTableSize:       o.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             pebbleLogger{o.Logger},
	}
	if o.FS != nil {
		po.FS = o.FS
	}
	// A Bloom filter on every level (later levels inherit L0's) spares
	// a Get the sstables that cannot hold its key.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	return po, cache
}

// pebbleLogger sends Pebble's messages to slog.
type pebbleLogger struct{ log *slog.Logger }

// Infof logs an informational message at debug level.
func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("pebble", "msg", fmt.Sprintf(format, args...))
}

// Errorf logs an error.
func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("pebble", "err", fmt.Sprintf(format, args...))
}

// Fatalf panics: Pebble cannot go on, and neither can the replica.
func (pebbleLogger) Fatalf(format string, args ...any) {
	panic("pebblekv: pebble: " + fmt.Sprintf(format, args...))
}
