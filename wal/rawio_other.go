//go:build !linux

package wal

// wrapRaw returns f: raw I/O is for Linux.
func wrapRaw(f File, _ *rawGuard) File { return f }
