package wal

import (
	"fmt"
	"log/slog"

	"github.com/vr-go/vr/internal/plant"
)

// Defaults of Options.
const (
	DefaultSegmentSize = 64 << 20
	DefaultMaxPayload  = 2 << 20
)

// Options configures a WAL.
type Options struct {
	// Dir is the replica's storage directory. The log lives in Dir/log;
	// the superblock (see WriteSuperblock) lives in Dir. Open creates it.
	Dir string
	// SegmentSize bounds the records of a segment file in bytes (default
	// 64 MiB; the file also holds a 12 KiB header). A new segment starts
	// before a group that would make the current one exceed it; a group
	// larger than SegmentSize gets a segment alone. The sync record that
	// ends each sync round (25 bytes) comes on top. Groups never span
	// segments (logs written before format 2 may have such groups, and are
	// still read).
	SegmentSize int64
	// MaxPayload bounds an entry's payload in bytes (default 2 MiB, at most
	// MaxPayloadLimit). Write rejects larger entries with ErrTooLarge.
	MaxPayload int
	// Logger receives warnings about cut tails and repairs (default: none).
	Logger *slog.Logger
	// FS is the file system the log lives on (default: OS).
	FS FS
	// Preallocate prepares each next segment in the background: a file
	// of its full size, zeros, durable before records go into it, so
	// that a sync's fsync writes data only, not the file's new size
	// too (prepare.go). It costs a segment's size of extra writes per
	// segment, and as much disk space.
	Preallocate bool
	// Background runs a preparation job (default: on a new goroutine).
	// The simulator runs it in place, deterministically.
	Background func(job func())
	// Discard, if set, removes segments TruncatePrefix took out of the
	// log, which it renames (stale.go) rather than removes; it must not
	// block. Unset, TruncatePrefix removes them itself.
	Discard func(paths []string)
	// RawIO writes and syncs the segment being written with raw system
	// calls (Linux, files of OS only): set it when the goroutine that
	// writes would wait for the write anyway, as a replica's loop in sync
	// mode does. Go's hooked calls let the runtime take the thread's P
	// during every fdatasync (and any write longer than about 20 µs) and
	// hand it to another thread, which costs a thread wake-up each time
	// and, in a process with one P, delays the loop's return until that
	// thread lets go (docs/benchmarks.md, sixteenth session). A raw sync
	// that takes 10 ms or more makes the next 1,000 syncs, and the writes
	// meanwhile, hooked again: on a slow disk the process's other
	// goroutines run while the loop waits.
	RawIO bool

	bugs plant.WAL // planted bugs
}

// ignoreSyncRecords plants plant.WAL.IgnoreSyncRecords in every log this
// package's tests open. Production code never sets it.
var ignoreSyncRecords = false

// zeroTailAnywhere plants plant.WAL.ZeroTailAnywhere likewise.
var zeroTailAnywhere = false

// Plant plants deliberate bugs of the log (see package plant).
func (o *Options) Plant(b plant.WAL) { o.bugs = b }

// withDefaults fills zero fields and validates the result.
func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, fmt.Errorf("%w: empty Dir", ErrBadOptions)
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	if o.MaxPayload > MaxPayloadLimit {
		return o, fmt.Errorf("%w: MaxPayload %d exceeds %d", ErrBadOptions, o.MaxPayload, MaxPayloadLimit)
	}
	o.bugs.IgnoreSyncRecords = o.bugs.IgnoreSyncRecords || ignoreSyncRecords
	o.bugs.ZeroTailAnywhere = o.bugs.ZeroTailAnywhere || zeroTailAnywhere
	if o.FS == nil {
		o.FS = OS
	}
	if o.Background == nil {
		o.Background = func(job func()) { go job() }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
