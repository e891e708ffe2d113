package pebblekv

import "fmt"

// Checkpoint writes a self-contained copy of the store to dir, which must
// not exist: it flushes the memtable (there is no WAL to replay, so the
// checkpoint must not depend on one) and takes a Pebble checkpoint, which
// hard-links the immutable sstables and copies only the MANIFEST and
// OPTIONS. Open(dir) then resumes at Applied() with the same contents.
//
// The flush and the checkpoint see the same state because the store is not
// used concurrently: no Apply runs between them.
func (s *Store) Checkpoint(dir string) error {
	if err := s.db.Flush(); err != nil {
		return fmt.Errorf("pebblekv: flush: %w", err)
	}
	if err := s.db.Checkpoint(dir); err != nil {
		return fmt.Errorf("pebblekv: checkpoint: %w", err)
	}
	return nil
}

// Flush writes the memtable to an sstable, so that the directory itself
// holds every applied op. The durable mode may truncate the VR log up to
// Applied() after a Flush or a Checkpoint, never before.
func (s *Store) Flush() error { return s.db.Flush() }
