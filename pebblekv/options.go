package pebblekv

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

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
	// memTableStopWrites is how many memtables may queue for flushing
	// before Pebble stops writes: up to that many × MemTableSize of memory.
	memTableStopWrites = 4
)

// Options configure a Store.
type Options struct {
	// Limits bound commands as in kv.Store; all replicas must agree.
	Limits kv.Limits
	// CacheSize is Pebble's block cache in bytes (0: DefaultCacheSize).
	CacheSize int64
	// MemTableSize is one Pebble memtable in bytes (0:
	// DefaultMemTableSize). Up to four may be in memory at once.
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
		DisableWAL:   true, // the replica's log is the WAL
		Cache:        cache,
		MemTableSize: o.MemTableSize,
		// Queued memtables before writes stop: Pebble's default of 2
		// stalled every Apply for 200-430 ms at a time while a restarted
		// replica restored and replayed (docs/storage-engine.md).
		MemTableStopWritesThreshold: memTableStopWrites,
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      pebbleLogger{o.Logger},
	}
	if o.FS != nil {
		po.FS = o.FS
	}
	po.EventListener = stallLogger(o.Logger)
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

// stallLogger reports Pebble's write stalls, during which every Apply
// waits (and so does the replica's loop): at warning level when one
// begins, with Pebble's reason, and with its length when it ends.
func stallLogger(log *slog.Logger) *pebble.EventListener {
	var began atomic.Int64 // Unix nanoseconds; Pebble calls from its goroutines
	return &pebble.EventListener{
		WriteStallBegin: func(info pebble.WriteStallBeginInfo) {
			began.Store(time.Now().UnixNano())
			log.Warn("pebble: write stall: every write waits", "reason", info.Reason)
		},
		WriteStallEnd: func() {
			log.Warn("pebble: write stall over", "took", time.Duration(time.Now().UnixNano()-began.Load()))
		},
	}
}
