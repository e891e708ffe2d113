package wal

import (
	"path/filepath"
	"strings"
)

// staleExt ends the name of a segment that TruncatePrefix took out of the
// log but left for Options.Discard to remove.
const staleExt = ".stale"

// staleFile is the name segment seq is left under once it is out of the log.
func staleFile(seq uint64) string { return segFile(seq) + staleExt }

// isStaleFile reports whether name is a segment taken out of the log.
func isStaleFile(name string) bool {
	seg, found := strings.CutSuffix(name, staleExt)
	_, ok := parseName(seg)
	return found && ok
}

// retireFile takes segment file out of the log: with Options.Discard set it
// is renamed to its stale name, the rename made durable, and the path
// returned for Discard to remove; otherwise it is removed (durably) and ""
// returned. Removing a 64 MiB segment at once frees its blocks in one
// journal transaction, which on a disk mounted with online discard the
// next fsyncs queue behind (measured: docs/benchmarks.md, tenth session);
// Discard frees them gradually, off the caller's goroutine.
func (w *WAL) retireFile(seq uint64) (string, error) {
	if w.opts.Discard == nil {
		return "", removeFile(w.opts.FS, w.dir, segFile(seq))
	}
	stale := filepath.Join(w.dir, staleFile(seq))
	if err := w.opts.FS.Rename(filepath.Join(w.dir, segFile(seq)), stale); err != nil {
		return "", err
	}
	return stale, w.opts.FS.SyncDir(w.dir)
}

// discardStale hands stale files a previous process left to
// Options.Discard, or removes them. A failure only leaves them behind.
func (w *WAL) discardStale(names []string) {
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(w.dir, n)
	}
	w.discard(paths)
}

// discard hands paths to Options.Discard, or removes them at once.
func (w *WAL) discard(paths []string) {
	if len(paths) == 0 {
		return
	}
	if w.opts.Discard != nil {
		w.opts.Discard(paths)
		return
	}
	for _, p := range paths {
		_ = w.opts.FS.Remove(p)
	}
}
