package pebblekv

import (
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2"
	"github.com/vr-go/vr/kv"
)

// restoreBatch is how many bytes Restore stages before a commit.
const restoreBatch = 4 << 20

// Restore replaces the whole state with a snapshot in kv's format, read
// from r to its end (kv.ReadSnapshot checks it as kv.Store.Restore does).
// It writes the new state under the other generation and switches to it
// only after the checksum and the end of r: on error (wrapping
// kv.ErrBadSnapshot, or r's own error) the state is unchanged.
func (s *Store) Restore(r io.Reader) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	next := other(s.gen)
	s.dropGeneration(next) // what a failed restore may have left
	b := s.db.NewBatch()
	defer b.Close()
	revision, err := kv.ReadSnapshot(r, func(key, value []byte, version uint64) error {
		s.keyBuf = dataKey(s.keyBuf[:0], next, key)
		s.valBuf = appendStored(s.valBuf[:0], version, value)
		if err := b.Set(s.keyBuf, s.valBuf, nil); err != nil {
			return fmt.Errorf("pebblekv: restore: %w", err)
		}
		return commitIfFull(b, restoreBatch)
	})
	if err == nil {
		err = commitIfFull(b, 0)
	}
	if err != nil {
		s.dropGeneration(next)
		return err
	}
	s.dropGeneration(s.gen)
	s.gen, s.revision = next, revision
	s.resetChanges(revision)
	return nil
}

// commitIfFull commits b without sync once it holds more than limit bytes.
func commitIfFull(b *pebble.Batch, limit int) error {
	if b.Len() <= limit || b.Empty() {
		return nil
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("pebblekv: restore: %w", err)
	}
	b.Reset()
	return nil
}

// dropGeneration deletes every key of generation gen. It panics if Pebble
// fails: the store could no longer tell its state.
func (s *Store) dropGeneration(gen byte) {
	lower, upper := genBounds(gen)
	if err := s.db.DeleteRange(lower, upper, pebble.NoSync); err != nil {
		panic(fmt.Errorf("pebblekv: drop generation %d: %w", gen, err))
	}
}
