package wal

// WriteBackPiece is how much of a large file the project's writers hand
// to WriteBack at a time: checkpoint files (package storage), prepared log
// segments, and vr disk-check's bulk files, which stand in for the
// checkpoints. Small enough that a log fsync never waits long behind one
// piece; large enough that the system calls cost little.
const WriteBackPiece = 256 << 10

// WriteBack writes the bytes [off, off+n) of f, already written to it,
// back to the disk and waits until they are there, without making them
// durable: no journal commit and no flush of the disk's cache, which an
// fsync issues every time. A large file written back this way, a little
// at a time, reaches its final fsync with nothing left to write, and the
// disk never holds more than one piece of it ahead of the log's own small
// writes: written whole and fsynced (or fsynced every 2 MiB), checkpoint
// files put 2–8 MiB in front of every log fsync issued meanwhile
// (docs/benchmarks.md, nineteenth session). On Linux, for the operating
// system's files, it is sync_file_range(2) with SYNC_FILE_RANGE_WAIT_BEFORE,
// SYNC_FILE_RANGE_WRITE and SYNC_FILE_RANGE_WAIT_AFTER. Elsewhere, and for
// files of other file systems (tmpfs's, the simulator's), it does nothing:
// the final fsync writes everything.
func WriteBack(f File, off, n int64) error {
	if n <= 0 {
		return nil
	}
	return writeBack(f, off, n)
}
