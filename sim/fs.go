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
	// newRoom is the room a new log segment leaves after its header for
	// its records (see newSparse; 0: as much again as the header). It
	// changes no contents.
	newRoom int64
	// synced: each file's size that completed barriers covered at the
	// last crash (rot aims at its end).
	synced map[string]int64
	// shared is settleShared's list of names, kept for the next settle.
	shared []string
}

// image is the contents of a disk: files by path, and directories.
type image struct {
	files map[string]*fileData
	dirs  map[string]bool
}

func newImage() image { return image{files: map[string]*fileData{}, dirs: map[string]bool{"/": true}} }

// clone returns a copy of im that shares the files' contents with it (see
// fileData): im keeps appending in place, the copy copies first. Files in
// pieces are joined first: a crash clones the durable image, and the
// restart after it reads every file whole (joined once, they stay joined
// in both images until written again).
func (im image) clone() image {
	c := image{files: make(map[string]*fileData, len(im.files)), dirs: make(map[string]bool, len(im.dirs))}
	for k, v := range im.files {
		c.files[k] = viewOf(v.view())
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
	return fd.view(), true
}

// size returns the size of the file name (0 if it does not exist).
func (im image) size(name string) int64 {
	if fd, ok := im.files[name]; ok {
		return fd.size
	}
	return 0
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
	data     []byte // opWrite: the bytes written (never changed)
	// sparse, if set, holds a write of a whole new file instead of data
	// (see newSparse), sharing the file's extents.
	sparse *fileData
	// before is, for a write, the file's size before it in the live
	// image (-1: no such file).
	before int64
}

// size returns the size of write o.
func (o fsOp) size() int64 {
	if o.sparse != nil {
		return o.sparse.size
	}
	return int64(len(o.data))
}

// tear keeps the first n bytes of write o.
func (o *fsOp) tear(n int) {
	if o.sparse != nil {
		o.sparse = o.sparse.share(int64(n))
		return
	}
	o.data = o.data[:n]
}

// appends reports whether o is a write that starts at or past its file's
// end.
func (o fsOp) appends() bool { return o.kind == opWrite && o.before >= 0 && o.off >= o.before }

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
		case o.sparse != nil && fd.size == 0:
			fd.shareFrom(o.sparse, o.sparse.size)
		case o.sparse != nil:
			fd.writeAt(o.sparse.contents(), o.off)
		case o.off == 0 && int64(len(o.data)) >= fd.size:
			fd.setShared(o.data)
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

// recordWrite applies a write of p at off to the live image and keeps it
// for the durable one. The operation's data is the bytes as the live file
// now holds them, shared (no copy), unless the file is gone.
func (f *simFS) recordWrite(name string, off int64, p []byte) {
	o := fsOp{kind: opWrite, name: name, off: off, before: -1}
	if fd, ok := f.live.files[name]; ok {
		o.before = fd.size
		if fd.size == 0 && off == 0 && len(p) >= sparseMin {
			fd.newSparse(p, int(f.newRoom))
			o.sparse = fd.share(fd.size)
		} else {
			o.data = fd.write(p, off)
		}
	} else {
		o.data = slices.Clone(p) // a crash may apply it to the durable file
	}
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
	f.dropBarriers(k)
	f.completed = n
}

// lie reports every barrier up to number n complete without making
// anything durable: a disk whose fsync lies. The operations stay in
// flight, and the next barrier that really completes covers them.
func (f *simFS) lie(n uint64) {
	if n <= f.completed {
		return
	}
	f.dropBarriers(int(n - f.completed))
	f.completed = n
}

// dropBarriers removes the first k barriers, keeping the slice's start
// (slicing it from the front would reallocate it as barriers come).
func (f *simFS) dropBarriers(k int) {
	f.barriers = f.barriers[:copy(f.barriers, f.barriers[k:])]
}

// settle makes the first n operations durable.
func (f *simFS) settle(n int) {
	if settleHook != nil {
		defer settleHook(f, n)()
	}
	if !f.settleShared(f.ops[:n], f.ops[n:]) {
		for _, o := range f.ops[:n] {
			f.durable.apply(o)
		}
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

// settleHook, if set (by tests), is called before each settle, and what
// it returns after it.
var settleHook func(f *simFS, n int) func()
