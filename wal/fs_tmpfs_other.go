//go:build !linux

package wal

import "os"

// memWrite is f.Write: raw writes are for Linux, the one system with
// tmpfs detection (node).
func memWrite(f *os.File, p []byte) (int, error) { return f.Write(p) }

// memWriteAt is f.WriteAt.
func memWriteAt(f *os.File, p []byte, off int64) (int, error) { return f.WriteAt(p, off) }
