//go:build linux

package e2e

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The write-ahead log's record frame (see package wal): a little-endian
// length u32 counting every byte after it, then a crc32c u32, then a type
// byte and the body.
const (
	recLenSize  = 4
	recHeadSize = 8 // length and checksum
	recEntry    = 1 // the type byte of a log entry record
)

// segments returns the log segment files of a data directory, oldest first.
func segments(t *testing.T, dataDir string) []string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dataDir, "log", "*.seg"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no log segments in %s (%v)", dataDir, err)
	}
	slices.Sort(segs) // names are zero-padded sequence numbers
	return segs
}

// recordOffsets walks the records of a segment and returns where each
// starts. It stops at the first frame that does not fit.
func recordOffsets(b []byte) []int {
	var offs []int
	for off := 0; off+recHeadSize < len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		if n < recHeadSize || off+recLenSize+n > len(b) {
			break
		}
		offs = append(offs, off)
		off += recLenSize + n
	}
	return offs
}

// flipEarlyRecord flips one byte in the body of the first log entry record
// from a third of the way into the first segment on, so that valid records
// follow it: damage a restart must report as corruption, not cut off as a
// torn write. It returns a description of what it did.
func flipEarlyRecord(t *testing.T, dataDir string) string {
	t.Helper()
	seg := segments(t, dataDir)[0]
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	offs := recordOffsets(b)
	if len(offs) < 6 {
		t.Fatalf("%s holds only %d records; need more to corrupt an early one", seg, len(offs))
	}
	k := len(offs) / 3
	for k < len(offs)-2 && b[offs[k]+recHeadSize] != recEntry {
		k++
	}
	start, end := offs[k], offs[k+1]
	at := start + recHeadSize + (end-start-recHeadSize)/2
	b[at] ^= 0x5a
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("flipped the byte at offset %d of %s, inside record %d of %d (type %d, bytes %d-%d)",
		at, filepath.Base(seg), k+1, len(offs), b[start+recHeadSize], start, end-1)
}

// tearTail truncates the last segment of a data directory by n bytes, as a
// crash in the middle of the final write would leave it.
func tearTail(t *testing.T, dataDir string, n int64) string {
	t.Helper()
	segs := segments(t, dataDir)
	seg := segs[len(segs)-1]
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	// A prepared segment holds zeros after its records: the data ends at
	// its last byte that is not zero (or a few zero bytes later, the high
	// bytes of the last record's offset).
	end := int64(bytes.LastIndexFunc(b, func(r rune) bool { return r != 0 }) + 1)
	if end <= n {
		t.Fatalf("%s has only %d bytes of data", seg, end)
	}
	clear(b[end-n : end]) // what a crash inside the final write leaves in a prepared file
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("zeroed %d of the %d bytes of data of %s (%d bytes)", n, end, filepath.Base(seg), len(b))
}

// corruptDirs returns the corrupt-* directories a replica moved aside.
func corruptDirs(t *testing.T, dataDir string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(dataDir, "corrupt-*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}
