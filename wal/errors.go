package wal

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is matched (errors.Is) by every error that reports damaged
	// data other than a torn final group: a bad record in the middle of the
	// log, a damaged or missing non-final segment, a broken sequence of
	// groups, or two damaged superblock slots.
	ErrCorrupt = errors.New("wal: corrupt data")
	// ErrNoSuperblock is returned by ReadSuperblock when no superblock was
	// ever written in the directory (a fresh replica).
	ErrNoSuperblock = errors.New("wal: no superblock")
	// ErrClosed is returned by operations on a closed WAL.
	ErrClosed = errors.New("wal: closed")
	// ErrTooLarge is returned (wrapped) by Write for an entry whose payload
	// exceeds Options.MaxPayload.
	ErrTooLarge = errors.New("wal: entry too large")
	// ErrOutOfOrder is returned (wrapped) by Write for a Batch whose entries
	// are not consecutive from From, or whose From neither continues nor
	// replaces part of the log.
	ErrOutOfOrder = errors.New("wal: entries out of order")
	// ErrBadOptions is returned (wrapped) by Open for invalid Options.
	ErrBadOptions = errors.New("wal: bad options")
	// ErrFailed is returned (wrapped, with the cause) by every operation
	// after an I/O error: the state of the files is then unknown in memory
	// and the WAL must be closed and opened again.
	ErrFailed = errors.New("wal: failed after an I/O error")
	// ErrLocked is matched by the *LockedError that LockDir returns for a
	// data directory another process (or another DirLock) holds.
	ErrLocked = errors.New("wal: data directory in use")
	// ErrWrongOwner is matched by the *OwnerError that ClaimDir returns for
	// a data directory that belongs to another replica or cluster.
	ErrWrongOwner = errors.New("wal: data directory belongs to another replica")
)

// LockedError says that a data directory is locked by someone else. It
// matches ErrLocked.
type LockedError struct {
	Dir    string
	Holder string // what the lock file says about the holder ("pid 1234")
}

// Error implements error.
func (e *LockedError) Error() string {
	return fmt.Sprintf("wal: data directory %s is in use (locked by %s): refusing to share it; "+
		"every replica needs a directory of its own", e.Dir, e.Holder)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// OwnerError says that a data directory records another owner than the
// one that tried to claim it. It matches ErrWrongOwner.
type OwnerError struct {
	Dir      string
	Recorded Owner // the owner the directory's superblock records
	Given    Owner // the owner that tried to claim it
}

// Error implements error.
func (e *OwnerError) Error() string {
	return fmt.Sprintf("wal: data directory %s belongs to %v, not to %v: refusing to start "+
		"(wrong --data-dir, --index or --cluster-id?)", e.Dir, e.Recorded, e.Given)
}

// Unwrap makes errors.Is(err, ErrWrongOwner) true.
func (e *OwnerError) Unwrap() error { return ErrWrongOwner }

// CorruptError describes damaged data found by Open. It matches ErrCorrupt.
type CorruptError struct {
	// Segment is the damaged file's name inside Dir/log.
	Segment string
	// Offset is the byte offset of the damaged record in Segment.
	Offset int64
	// Op is the op-number stored in the damaged record (an entry or a cut),
	// or 0 when it names none or could not be read. It may itself be
	// damaged.
	Op uint64
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("wal: corrupt log: segment %s offset %d (op %d): %s",
		e.Segment, e.Offset, e.Op, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Reasons a record fails to decode.
var (
	errIncomplete = errors.New("record incomplete")
	errBadLength  = errors.New("bad record length")
	errChecksum   = errors.New("checksum mismatch")
	// errBadType is a record whose checksum holds but whose type or size is
	// unknown: no torn write leaves one, so it is always corruption.
	errBadType = errors.New("unknown record type or size")
)
