package sim

// fileData is the contents of a file of a simulated disk. The two images
// of a disk, ReadFile's results and the data of recorded writes share
// contents instead of copying them: bytes below frozen may be seen
// elsewhere, through a slice whose capacity ends at its length, and are
// never changed in place; a change below frozen copies the file first.
// Bytes from frozen to the capacity are the file's alone, so a file that
// was shared still grows by appends in place, as the log's files do.
// Crashes, barriers and reads thus copy no file.
type fileData struct {
	b      []byte
	frozen int
}

// viewOf returns a file holding b, which is shared: it copies b before
// any change.
func viewOf(b []byte) *fileData {
	return &fileData{b: b[:len(b):len(b)], frozen: len(b)}
}

// view returns fd's contents, shared: neither fd nor the caller changes
// them.
func (fd *fileData) view() []byte {
	fd.frozen = len(fd.b)
	return fd.b[:len(fd.b):len(fd.b)]
}

// writeAt writes data into the file at off, growing it with zeros as
// needed.
func (fd *fileData) writeAt(data []byte, off int64) {
	end := off + int64(len(data))
	if off < int64(fd.frozen) {
		// A file changed below its end is mostly not appended to
		// after (a log segment's marks): no room to grow.
		fd.copyOut(max(end, int64(len(fd.b))))
	}
	if end > int64(len(fd.b)) {
		fd.resize(end)
	}
	copy(fd.b[off:], data)
}

// write applies a write of p at off, as image.apply does, and returns the
// bytes written as fd now holds them, shared. A write of a whole new file
// leaves newRoom bytes after it for appends (0: len(p)).
func (fd *fileData) write(p []byte, off, newRoom int64) []byte {
	if off == 0 && len(p) >= len(fd.b) { // the whole file: a new one
		// Room to grow in a new file (a log segment's header, 12 KiB,
		// is followed by records), none in a rewritten one.
		room := len(p)
		switch {
		case len(fd.b) > 0:
			room = 0
		case newRoom > 0:
			room = int(newRoom)
		}
		fd.b = p[:len(p):len(p)] // not kept: copyOut copies it
		fd.copyOut(int64(len(p) + room))
		fd.frozen = len(p)
		return fd.b[:len(p):len(p)]
	}
	fd.writeAt(p, off)
	end := off + int64(len(p))
	fd.frozen = max(fd.frozen, int(end))
	return fd.b[off:end:end]
}

// own gives fd contents of its own, before a change anywhere in them.
func (fd *fileData) own() {
	if fd.frozen > 0 {
		fd.copyOut(0)
	}
}

// copyOut moves fd's contents to a new array of room for n bytes, which
// nothing else sees. (append copies without clearing what it copies
// over, as make would.)
func (fd *fileData) copyOut(n int64) {
	l := len(fd.b)
	if extra := int(n) - l; extra > 0 {
		fd.b = append(fd.b[:l:l], make([]byte, extra)...)[:l]
	} else {
		fd.b = append([]byte(nil), fd.b...)
	}
	fd.frozen = 0
}

// resize cuts the file to n bytes or grows it with zeros, doubling its
// capacity when it must grow (files grow by small appends). A cut below
// frozen cuts the capacity too: what follows is then written to a copy.
func (fd *fileData) resize(n int64) {
	switch {
	case n < int64(fd.frozen):
		fd.b, fd.frozen = fd.b[:n:n], int(n)
		return
	case n <= int64(len(fd.b)):
		fd.b = fd.b[:n]
		return
	case n > int64(cap(fd.b)):
		fd.copyOut(max(n, 2*int64(cap(fd.b))))
	}
	old := len(fd.b)
	fd.b = fd.b[:n]
	clear(fd.b[old:])
}
