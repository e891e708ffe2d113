package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

const (
	segExt     = ".seg"
	nameDigits = 20
)

// segInfo is what the WAL knows about a live segment: enough to decide
// whether TruncatePrefix may remove it, and where its next mark goes.
type segInfo struct {
	seq      uint64 // the number in its file name
	midGroup bool   // its first record continues a group begun earlier
	minOp    uint64 // lowest op of its entry and cut records; 0 if none
	maxEntry uint64 // highest op of its entry records; 0 if none
	maxCut   uint64 // highest op of its cut records; 0 if none
	size     int64  // bytes of header and records: the file's size, but for the zeros of a prepared last segment
	fileSize int64  // the file's size: size, or more in a prepared segment (its zeros)

	v2      bool   // format 2: a header with mark slots (see format.go)
	flags   uint64 // flags of its newest mark
	markSeq uint64 // sequence number of its newest mark
	markIdx int    // slot holding its newest mark
	durable int64  // every byte below it is durable (a mark, or a completed round)
}

// noteEntry records that the segment holds an entry record for op.
func (s *segInfo) noteEntry(op uint64) {
	s.noteOp(op)
	s.maxEntry = max(s.maxEntry, op)
}

// noteCut records that the segment holds a cut record at op.
func (s *segInfo) noteCut(op uint64) {
	s.noteOp(op)
	s.maxCut = max(s.maxCut, op)
}

func (s *segInfo) noteOp(op uint64) {
	if s.minOp == 0 || op < s.minOp {
		s.minOp = op
	}
}

// below reports whether every entry and cut record of the segment names an
// op below op.
func (s *segInfo) below(op uint64) bool { return s.maxEntry < op && s.maxCut < op }

// segFile is the file name of segment seq.
func segFile(seq uint64) string {
	var b [nameDigits + len(segExt)]byte
	return string(append(zeroPadded(b[:0], seq, nameDigits), segExt...))
}

// zeroPadded appends the decimal digits of n, padded with zeros on the
// left to width digits, to b (fmt's %0*d, without its cost: segments are
// named at every roll and every restart's listing).
func zeroPadded(b []byte, n uint64, width int) []byte {
	var d [20]byte
	digits := strconv.AppendUint(d[:0], n, 10)
	for i := len(digits); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// parseName parses a segment file name.
func parseName(s string) (uint64, bool) {
	base, found := strings.CutSuffix(s, segExt)
	if !found || len(base) != nameDigits {
		return 0, false
	}
	seq, err := strconv.ParseUint(base, 10, 64)
	return seq, err == nil
}

// listSegments returns the sequence numbers of the segments in dir, sorted.
// Other files are returned in other.
func listSegments(fsys FS, dir string) (seqs []uint64, other []string, err error) {
	des, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, de := range des {
		seq, ok := parseName(de.Name())
		if !ok || !de.Type().IsRegular() {
			other = append(other, de.Name())
			continue
		}
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	return seqs, other, nil
}

// checkConsecutive fails unless the segment numbers have no gap: segments
// are only ever removed oldest first (TruncatePrefix) or newest first (a
// torn tail), so a gap means a lost segment.
func checkConsecutive(seqs []uint64) error {
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			return &CorruptError{Segment: segFile(seqs[i]),
				Reason: fmt.Sprintf("segment %s is missing", segFile(seqs[i-1]+1))}
		}
	}
	return nil
}

// headerBuffers recycles the buffers new segments' headers are encoded in
// (12 KiB each; the simulator rolls tiny segments thousands of times).
var headerBuffers = sync.Pool{New: func() any { return new([headerSize]byte) }}

// createSegment creates segment seq holding only its header (marks with
// flags), makes the header and the directory entry durable, and returns the
// file open for writing and what the WAL knows about it. Records go at
// offsets from headerSize on (the file is not opened for appending, so
// that marks can be written in place).
func createSegment(fsys FS, dir string, seq, flags uint64) (File, segInfo, error) {
	f, err := fsys.OpenFile(filepath.Join(dir, segFile(seq)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, segInfo{}, err
	}
	hb := headerBuffers.Get().(*[headerSize]byte)
	_, err = f.Write(putHeader(hb[:], seq, flags))
	headerBuffers.Put(hb)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = fsys.SyncDir(dir)
	}
	if err != nil {
		f.Close()
		return nil, segInfo{}, err
	}
	return f, newSegInfo(seq, flags), nil
}

// newSegInfo is what the WAL knows about segment seq once it was created
// with flags: its header alone, durable, both marks written.
func newSegInfo(seq, flags uint64) segInfo {
	return segInfo{seq: seq, size: headerSize, fileSize: headerSize, v2: true, flags: flags, markSeq: 2, markIdx: 1, durable: headerSize}
}

// openSegment opens the existing segment seq for writing at offsets.
func openSegment(fsys FS, dir string, seq uint64) (File, error) {
	return fsys.OpenFile(filepath.Join(dir, segFile(seq)), os.O_WRONLY, 0)
}

// removeFile removes dir/file (a missing file is not an error) and makes the
// removal durable.
func removeFile(fsys FS, dir, file string) error {
	if err := fsys.Remove(filepath.Join(dir, file)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return fsys.SyncDir(dir)
}

// syncPath fsyncs the file at path.
func syncPath(fsys FS, path string) error {
	f, err := fsys.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// truncateFile cuts path to size and makes the cut durable.
func truncateFile(fsys FS, path string, size int64) error {
	f, err := fsys.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
