package wal

import "golang.org/x/sys/unix"

// writeBackFlags write a range back and wait for it, including any
// writeback of it already under way.
const writeBackFlags = unix.SYNC_FILE_RANGE_WAIT_BEFORE | unix.SYNC_FILE_RANGE_WRITE | unix.SYNC_FILE_RANGE_WAIT_AFTER

// writeBack is sync_file_range(2) of [off, off+n) with writeBackFlags,
// for the operating system's files; others are left alone, as are those
// of a file system that does not offer it: the caller's final Sync writes
// everything.
func writeBack(f File, off, n int64) error {
	var o osFile
	switch t := f.(type) {
	case osFile:
		o = t
	case rawFile:
		o = t.osFile
	default:
		return nil
	}
	return onDescriptor(o.File, "sync_file_range", func(fd uintptr) error {
		err := unix.SyncFileRange(int(fd), off, n, writeBackFlags)
		if err == unix.ENOSYS || err == unix.EOPNOTSUPP {
			return nil
		}
		return err
	})
}
