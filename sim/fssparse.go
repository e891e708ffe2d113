package sim

import "bytes"

// Blocks of zeros in a whole file written at once are not copied: its
// extents there are views of zeroBlocks (frozen, so never written: a write
// there makes a new extent). A new log segment's 12 KiB header holds about
// 110 other bytes.
const (
	sparseMin  = 4 << 10 // the smallest write looked at
	sparseUnit = 512     // the blocks looked at
)

var zeroBlocks [64 << 10]byte

// newSparse makes p the contents of the empty file fd, with room bytes
// after it for appends (0: len(p)): copied, but for its blocks of zeros.
func (fd *fileData) newSparse(p []byte, room int) {
	if fd.size != 0 {
		panic("sim: a sparse write into a file that is not empty")
	}
	if room == 0 {
		room = len(p)
	}
	clear(fd.ext)
	fd.ext, fd.size, fd.room = fd.ext[:0], int64(len(p)), 0
	for at := 0; at < len(p); {
		n := zeroRun(p[at:])
		if n > 0 {
			fd.ext = append(fd.ext, extent{b: zeroBlocks[:n:n], frozen: n})
			at += n
			continue
		}
		// The data up to the next block of zeros.
		n = sparseUnit
		for at+n < len(p) && !zeroBlock(p[at+n:]) {
			n += sparseUnit
		}
		n = min(n, len(p)-at)
		extra := 0
		if at+n == len(p) {
			extra = room
		}
		b := append(make([]byte, 0, n+extra), p[at:at+n]...)
		fd.ext = append(fd.ext, extent{b: b})
		at += n
	}
	if last := fd.ext[len(fd.ext)-1]; cap(last.b) == len(last.b) {
		fd.room = min(room, 1<<10) // for the extents appends make
	}
}

// zeroRun returns the length of the run of zero blocks b starts with, at
// most len(zeroBlocks); a last block shorter than sparseUnit counts if it
// is zero.
func zeroRun(b []byte) int {
	n := 0
	for n < len(zeroBlocks) && n < len(b) {
		k := min(sparseUnit, len(b)-n)
		if !bytes.Equal(b[n:n+k], zeroBlocks[:k]) {
			break
		}
		n += k
	}
	return n
}

// zeroBlock reports whether the block b starts with is zero.
func zeroBlock(b []byte) bool {
	k := min(sparseUnit, len(b))
	return bytes.Equal(b[:k], zeroBlocks[:k])
}
