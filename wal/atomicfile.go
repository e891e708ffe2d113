package wal

import (
	"errors"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes data to dir/name on fsys so that a crash leaves
// either the file as it was (or no file) or the whole new one: it writes a
// temporary file in dir, fsyncs it, renames it over name and fsyncs dir.
// Durable mode writes its checkpoint files with it.
func WriteFileAtomic(fsys FS, dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = fsys.Remove(tmp)
		return err
	}
	if err := fsys.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return fsys.SyncDir(dir)
}
