package sim

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// simFS is a replica's simulated disk: a wal.FS without goroutines or real
// I/O, driven by the run's generator. It keeps two images of the files: the
// durable one (as of the last completed barrier) and the live one that
// reads see (the durable image and every operation since). Every Sync and
// SyncDir is a barrier; it completes only when the simulator says so
// (complete, from a disk event after a random latency), and the storage's
// done callbacks wait for it. A crash keeps what completed, lets some of
// the barriers still in flight complete, and faults the operations of the
// next one (see crash.go).
type simFS struct {
	durable, live image
	ops           []fsOp // operations since the durable image, in order
	// barriers[i] is how many of ops barrier completed+i+1 covers.
	barriers  []int
	completed uint64 // barriers completed
	faults    fsFaults
	// synced: each file's size that completed barriers covered at the
	// last crash (rot aims at its end).
	synced map[string]int64
}

// image is the contents of a disk: files by path, and directories.
type image struct {
	files map[string]*fileData
	dirs  map[string]bool
}

// fileData is a file's contents. Images share them copy-on-write: a
// shared slice may be held elsewhere too (the other image, a ReadFile
// result, a write's recorded data) and is never changed in place; the
// image copies it before it changes it (own). Crashes, ReadFile and
// whole-file writes thus cost no copy of the files.
type fileData struct {
	b      []byte
	shared bool
}

func newImage() image { return image{files: map[string]*fileData{}, dirs: map[string]bool{"/": true}} }

// clone returns a copy of im that shares the files' contents with it.
func (im image) clone() image {
	c := image{files: make(map[string]*fileData, len(im.files)), dirs: make(map[string]bool, len(im.dirs))}
	for k, v := range im.files {
		v.shared = true
		c.files[k] = &fileData{b: v.b, shared: true}
	}
	for k := range im.dirs {
		c.dirs[k] = true
	}
	return c
}

// bytes returns the contents of the file name, shared with im: the caller
// must not change them.
func (im image) bytes(name string) ([]byte, bool) {
	fd, ok := im.files[name]
	if !ok {
		return nil, false
	}
	fd.shared = true
	return fd.b[:len(fd.b):len(fd.b)], true
}

// size returns the size of the file name (0 if it does not exist).
func (im image) size(name string) int64 {
	if fd, ok := im.files[name]; ok {
		return int64(len(fd.b))
	}
	return 0
}

// own makes fd's contents its own, with room for n bytes, before a change.
func (fd *fileData) own(n int64) {
	if !fd.shared {
		return
	}
	nb := make([]byte, len(fd.b), max(n, int64(len(fd.b))))
	copy(nb, fd.b)
	fd.b, fd.shared = nb, false
}

// opKind is the kind of a file-system operation.
type opKind uint8

const (
	opWrite opKind = iota
	opTruncate
	opCreate
	opRename
	opRemove
	opMkdir
)

// fsOp is one operation that changed the live image.
type fsOp struct {
	kind     opKind
	name, to string
	off      int64
	data     []byte // opWrite: the bytes written (a copy)
}

// namespace reports whether o changes the directory tree rather than a
// file's contents.
func (o fsOp) namespace() bool { return o.kind != opWrite && o.kind != opTruncate }

// apply applies o to im; an operation on a file that does not exist (its
// creation was lost in a crash) does nothing. A write that covers a whole
// file from its start takes o's data (never changed once recorded) as
// the file's contents, shared.
func (im image) apply(o fsOp) {
	switch o.kind {
	case opWrite:
		fd, ok := im.files[o.name]
		switch {
		case !ok:
		case o.off == 0 && len(o.data) >= len(fd.b):
			fd.b, fd.shared = o.data[:len(o.data):len(o.data)], true
		default:
			fd.writeAt(o.data, o.off)
		}
	case opTruncate:
		if fd, ok := im.files[o.name]; ok {
			fd.resize(o.off)
		}
	case opCreate:
		if _, ok := im.files[o.name]; !ok && im.dirs[path.Dir(o.name)] {
			im.files[o.name] = &fileData{}
		}
	case opRename:
		im.rename(o.name, o.to)
	case opRemove:
		delete(im.files, o.name)
		delete(im.dirs, o.name)
	case opMkdir:
		for d := o.name; !im.dirs[d]; d = path.Dir(d) {
			im.dirs[d] = true
		}
	}
}

// rename moves a file, or a directory and everything below it.
func (im image) rename(from, to string) {
	if b, ok := im.files[from]; ok {
		delete(im.files, from)
		im.files[to] = b
		return
	}
	if !im.dirs[from] {
		return
	}
	prefix := from + "/"
	for _, k := range sortedKeys(im.files) {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			im.files[to+"/"+rest] = im.files[k]
			delete(im.files, k)
		}
	}
	for _, k := range sortedKeys(im.dirs) {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			im.dirs[to+"/"+rest] = true
			delete(im.dirs, k)
		}
	}
	delete(im.dirs, from)
	im.dirs[to] = true
}

// writeAt writes data into the file at off, growing it with zeros as
// needed.
func (fd *fileData) writeAt(data []byte, off int64) {
	if end := off + int64(len(data)); end > int64(len(fd.b)) {
		fd.resize(end)
	} else {
		fd.own(end)
	}
	copy(fd.b[off:], data)
}

// resize cuts the file to n bytes or grows it with zeros, doubling its
// capacity when it must grow (files grow by small appends). A shared file
// is cut without a copy: its capacity is cut too, so that it is copied
// before anything is written past its end.
func (fd *fileData) resize(n int64) {
	switch {
	case n <= int64(len(fd.b)) && fd.shared:
		fd.b = fd.b[:n:n]
		return
	case n <= int64(len(fd.b)):
		fd.b = fd.b[:n]
		return
	}
	if fd.shared || n > int64(cap(fd.b)) {
		fd.shared = false
		nb := make([]byte, len(fd.b), max(n, 2*int64(cap(fd.b))))
		copy(nb, fd.b)
		fd.b = nb
	}
	old := len(fd.b)
	fd.b = fd.b[:n]
	clear(fd.b[old:])
}

// sortedKeys returns the keys of m in order (map order is random, and a
// run must replay bit for bit).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// record applies o to the live image and keeps it for the durable one.
func (f *simFS) record(o fsOp) {
	f.live.apply(o)
	f.ops = append(f.ops, o)
}

// barrier records a Sync or SyncDir: it completes with complete.
func (f *simFS) barrier() { f.barriers = append(f.barriers, len(f.ops)) }

// issued returns the number of the last barrier recorded.
func (f *simFS) issued() uint64 { return f.completed + uint64(len(f.barriers)) }

// complete makes every barrier up to number n durable.
func (f *simFS) complete(n uint64) {
	if n <= f.completed {
		return
	}
	k := int(n - f.completed)
	f.settle(f.barriers[k-1])
	f.barriers = f.barriers[k:]
	f.completed = n
}

// lie reports every barrier up to number n complete without making
// anything durable: a disk whose fsync lies. The operations stay in
// flight, and the next barrier that really completes covers them.
func (f *simFS) lie(n uint64) {
	if n <= f.completed {
		return
	}
	f.barriers = f.barriers[int(n-f.completed):]
	f.completed = n
}

// settle makes the first n operations durable.
func (f *simFS) settle(n int) {
	for _, o := range f.ops[:n] {
		f.durable.apply(o)
	}
	f.ops = slices.Delete(f.ops, 0, n)
	for i := range f.barriers {
		f.barriers[i] -= n
	}
}

// dirEntry is a directory entry of the simulated disk.
type dirEntry struct {
	name string
	dir  bool
}

func (d dirEntry) Name() string { return d.name }
func (d dirEntry) IsDir() bool  { return d.dir }
func (d dirEntry) Type() fs.FileMode {
	if d.dir {
		return fs.ModeDir
	}
	return 0
}
func (d dirEntry) Info() (fs.FileInfo, error) { return nil, fs.ErrInvalid }
