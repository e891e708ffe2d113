package sim

// fileData is the contents of a file of a simulated disk: a list of
// extents, each a piece of the file. The two images of a disk, ReadFile's
// results and the data of recorded writes share extents instead of
// copying them: an extent's bytes below its frozen mark may be seen
// elsewhere, through a slice whose capacity ends at its length, and are
// never changed in place. Its bytes from frozen to its capacity are the
// file's alone, so a file that was shared still grows by appends in place,
// as the log's files do. A write over shared bytes does not copy the file
// (a log segment's 40-byte marks, written into its 12 KiB header after
// records were appended, copied the whole segment each time): it cuts the
// extents around the bytes it replaces and puts a new extent holding its
// data between them. Barriers thus copy no file; a crash joins the
// durable files that are in pieces, once (the restart after it reads
// every file whole), and a read joins a file in pieces.
type fileData struct {
	ext  []extent
	size int64 // the sum of the extents' lengths
	// room is how much room the next extent appends make should have
	// (0: as much as the file holds, up to 4 KiB; see appendData).
	room int
}

// extent is a piece of a file: b[:frozen] may be seen elsewhere.
type extent struct {
	b      []byte
	frozen int
}

// maxExtents is how many pieces a file may have before a write joins them.
const maxExtents = 64

// viewOf returns a file holding b, which is shared: it copies b before
// any change.
func viewOf(b []byte) *fileData {
	fd := &fileData{}
	fd.setShared(b)
	return fd
}

// setShared makes b, which is shared, the file's contents.
func (fd *fileData) setShared(b []byte) {
	clear(fd.ext)
	fd.ext, fd.room = fd.ext[:0], 0
	if len(b) > 0 {
		fd.ext = append(fd.ext, extent{b: b[:len(b):len(b)], frozen: len(b)})
	}
	fd.size = int64(len(b))
}

// view returns fd's contents, shared: neither fd nor the caller changes
// them. A file in pieces is joined first.
func (fd *fileData) view() []byte {
	if len(fd.ext) > 1 {
		fd.join(0)
	}
	if len(fd.ext) == 0 {
		return nil
	}
	e := &fd.ext[0]
	e.frozen = len(e.b)
	return e.b[:len(e.b):len(e.b)]
}

// contents returns a copy of fd's contents (tests and checks), changing
// nothing.
func (fd *fileData) contents() []byte {
	b := make([]byte, 0, fd.size)
	for _, e := range fd.ext {
		b = append(b, e.b...)
	}
	return b
}

// join copies fd's contents into one extent with room for extra more
// bytes.
func (fd *fileData) join(extra int) {
	b := make([]byte, 0, int(fd.size)+extra)
	for _, e := range fd.ext {
		b = append(b, e.b...)
	}
	fd.ext = append(fd.ext[:0], extent{b: b})
	clear(fd.ext[1:cap(fd.ext)])
}

// share returns a file with fd's contents, up to size bytes, sharing its
// extents: both copy before they change them.
func (fd *fileData) share(size int64) *fileData {
	c := &fileData{}
	c.shareFrom(fd, size)
	return c
}

// shareFrom makes fd hold src's contents, up to size bytes, sharing its
// extents (see share). fd keeps its own list's storage.
func (fd *fileData) shareFrom(src *fileData, size int64) {
	if fd == src {
		panic("sim: a file sharing its own extents")
	}
	clear(fd.ext)
	fd.ext, fd.size, fd.room = fd.ext[:0], src.size, 0
	for i := range src.ext {
		e := &src.ext[i]
		e.frozen = len(e.b)
		fd.ext = append(fd.ext, extent{b: e.b[:len(e.b):len(e.b)], frozen: len(e.b)})
	}
	if size < fd.size {
		fd.resize(size)
	}
}

// byteAt returns the byte at off (< size).
func (fd *fileData) byteAt(off int64) byte {
	i, at := fd.find(off)
	return fd.ext[i].b[at]
}

// find returns the extent holding the byte at off (< size) and where in it.
func (fd *fileData) find(off int64) (int, int) {
	for i, e := range fd.ext {
		if off < int64(len(e.b)) {
			return i, int(off)
		}
		off -= int64(len(e.b))
	}
	panic("sim: an offset past the end of a file")
}

// writeAt writes data into the file at off, growing it with zeros as
// needed.
func (fd *fileData) writeAt(data []byte, off int64) { fd.write(data, off) }

// write writes p at off, growing the file with zeros as needed, and
// returns the bytes written as fd now holds them, shared.
func (fd *fileData) write(p []byte, off int64) []byte {
	end := off + int64(len(p))
	if len(p) == 0 {
		if end > fd.size {
			fd.resize(end)
		}
		return nil
	}
	if off == 0 && end >= fd.size { // the whole file, copied exactly
		// (Files written whole are mostly not appended to after; a new
		// log segment's header goes through newSparse.)
		b := append(make([]byte, 0, len(p)), p...)
		fd.setShared(b)
		return b
	}
	if off > fd.size {
		fd.resize(off)
	}
	if off == fd.size {
		return fd.appendData(p)
	}
	if b, ok := fd.overwriteInPlace(p, off); ok {
		return b
	}
	return fd.splice(p, off)
}

// appendData appends p at the end of the file: in place in its last
// extent if there is room, else in a new extent with room to grow, twice
// the room of the previous one (so appends copy each byte about twice at
// most), from 1 KiB for a new log segment (most hold a few KiB of
// records), else from as much as the file holds, up to 4 KiB.
func (fd *fileData) appendData(p []byte) []byte {
	if n := len(fd.ext); n > 0 {
		e := &fd.ext[n-1]
		if l := len(e.b); cap(e.b)-l >= len(p) {
			e.b = append(e.b, p...)
			e.frozen = len(e.b)
			fd.size += int64(len(p))
			return e.b[l:len(e.b):len(e.b)]
		}
	}
	if len(fd.ext) >= maxExtents {
		fd.join(max(len(p), int(fd.size)))
		return fd.appendData(p)
	}
	room := fd.room
	if room == 0 {
		room = min(int(fd.size), 4<<10)
	}
	room = max(len(p), room)
	// Twice as much next time, but never far beyond the file's size: a
	// file whose appends kept landing after a write spliced in (no room
	// in place) doubled its room each time, without bound.
	fd.room = min(2*room, max(4<<10, 2*int(fd.size)))
	b := append(make([]byte, 0, room), p...)
	fd.ext = append(fd.ext, extent{b: b, frozen: len(b)})
	fd.size += int64(len(p))
	return b[:len(b):len(b)]
}

// overwriteInPlace writes p at off (< size) if it falls inside one extent,
// on bytes of its own.
func (fd *fileData) overwriteInPlace(p []byte, off int64) ([]byte, bool) {
	i, at := fd.find(off)
	e := &fd.ext[i]
	if at < e.frozen || at+len(p) > len(e.b) {
		return nil, false
	}
	copy(e.b[at:], p)
	e.frozen = at + len(p)
	return e.b[at:e.frozen:e.frozen], true
}

// splice writes p at off (< size) into a new extent, which replaces the
// bytes it covers; the extents around it keep the others, shared.
func (fd *fileData) splice(p []byte, off int64) []byte {
	if len(fd.ext) >= maxExtents-2 {
		// Joined, then spliced as any write: the write may run past the
		// end, which an overwrite in place of the joined bytes would drop
		// (it once did: TestFileDataModelFragmented).
		fd.join(0)
	}
	end := off + int64(len(p))
	b := append(make([]byte, 0, len(p)), p...)
	piece := extent{b: b, frozen: len(b)}
	out := make([]extent, 0, len(fd.ext)+2)
	placed := false
	pos := int64(0)
	for _, e := range fd.ext {
		start, stop := pos, pos+int64(len(e.b))
		pos = stop
		switch {
		case stop <= off:
			out = append(out, e)
			continue
		case start >= end:
			if !placed {
				out, placed = append(out, piece), true
			}
			out = append(out, e)
			continue
		}
		if start < off { // its bytes before the write
			k := int(off - start)
			out = append(out, extent{b: e.b[:k:k], frozen: min(e.frozen, k)})
		}
		if !placed {
			out, placed = append(out, piece), true
		}
		if stop > end { // its bytes after the write, and its room
			k := int(end - start)
			out = append(out, extent{b: e.b[k:], frozen: max(0, e.frozen-k)})
		}
	}
	if !placed {
		out = append(out, piece)
	}
	fd.ext, fd.size = out, max(fd.size, end)
	return b[:len(b):len(b)]
}

// resize cuts the file to n bytes or grows it with zeros. A cut below an
// extent's frozen mark cuts its capacity too: what follows is then
// written elsewhere.
func (fd *fileData) resize(n int64) {
	switch {
	case n < fd.size:
		pos := int64(0)
		for i := range fd.ext {
			e := &fd.ext[i]
			if pos+int64(len(e.b)) < n {
				pos += int64(len(e.b))
				continue
			}
			k := int(n - pos)
			if k < e.frozen {
				e.b, e.frozen = e.b[:k:k], k
			} else {
				e.b = e.b[:k]
			}
			keep := i + 1
			if k == 0 {
				keep = i
			}
			clear(fd.ext[keep:])
			fd.ext = fd.ext[:keep]
			break
		}
	case n > fd.size:
		need := int(n - fd.size)
		if k := len(fd.ext); k > 0 && cap(fd.ext[k-1].b)-len(fd.ext[k-1].b) >= need {
			e := &fd.ext[k-1]
			old := len(e.b)
			e.b = e.b[:old+need]
			clear(e.b[old:])
			break
		}
		if len(fd.ext) >= maxExtents {
			fd.join(need + int(fd.size))
			e := &fd.ext[0]
			e.b = e.b[:n]
			break
		}
		fd.ext = append(fd.ext, extent{b: make([]byte, need, max(need, int(fd.size)))})
	}
	fd.size = n
}
