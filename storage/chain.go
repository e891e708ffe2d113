package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/wal"
)

// Checkpoints are written as chains (core/delta.go): a base file,
// checkpoint-<op>.vrck, holding a whole checkpoint, and delta files,
// checkpoint-<op>.vrcd, each holding what changed since the link before
// it (its header names that link's op). A checkpoint whose state machine
// can write a delta starting at the chain's end is appended as a delta,
// unless the deltas already add up to half the base or number maxDeltas:
// then it is written whole and starts a new chain. So a checkpoint costs
// what changed, plus, amortised, a base per base/2 bytes of deltas: at
// most three times what changed. A checkpoint's bytes are its chain's
// files concatenated: what a restart verifies and restores, and what
// peers fetch.

const (
	deltaExt = ".vrcd"
	// maxDeltas bounds the deltas of a chain (files held open to serve
	// it, records to restore).
	maxDeltas = 64
	// rebaseShare: a new base once the deltas reach base/rebaseShare.
	rebaseShare = 2
)

// DeltaFile is the file name of the delta checkpoint at op.
func DeltaFile(op uint64) string {
	return fmt.Sprintf("%s%020d%s", checkpointPrefix, op, deltaExt)
}

// Link is one file of a checkpoint chain.
type Link struct {
	Op    uint64
	Name  string
	Size  uint64
	Delta bool
}

// Chain is the chain of checkpoint files a writer appends to: a base and
// the deltas on it, oldest first. The zero value is empty.
type Chain struct {
	links      []Link
	deltaBytes uint64
}

// Links returns the chain's files, base first (a copy).
func (c *Chain) Links() []Link { return append([]Link(nil), c.links...) }

// End returns the op of the chain's newest link (0: empty).
func (c *Chain) End() uint64 {
	if len(c.links) == 0 {
		return 0
	}
	return c.links[len(c.links)-1].Op
}

// WantsDelta reports whether ck should be appended to c as a delta: it
// can be written as one starting at c's end, and the deltas are still
// small against the base.
func (c *Chain) WantsDelta(ck *core.Checkpoint) bool {
	from, ok := ck.DeltaFrom()
	return ok && len(c.links) > 0 && from == c.End() && len(c.links)-1 < maxDeltas &&
		c.deltaBytes*rebaseShare < c.links[0].Size
}

// Add appends a written link; a base starts a new chain.
func (c *Chain) Add(l Link) {
	if !l.Delta {
		c.links, c.deltaBytes = nil, 0
	}
	c.links = append(c.links, l)
	if l.Delta {
		c.deltaBytes += l.Size
	}
}

// WriteLink writes ck into dir as the next link of c — a delta file if c
// wants one, a base file otherwise — and appends it to c. With sync, the
// file is fsynced as it goes and at the end, then the directory, so that
// it is durable when WriteLink returns. tee, if not nil, sees the bytes
// written. Diskless nodes use it without sync for their scratch copies.
func WriteLink(fsys wal.FS, dir string, c *Chain, ck *core.Checkpoint, sync bool, tee io.Writer) (Link, error) {
	l := Link{Op: ck.Op, Name: CheckpointFile(ck.Op)}
	write := ck.WriteTo
	if c.WantsDelta(ck) {
		l.Name, l.Delta, write = DeltaFile(ck.Op), true, ck.WriteDeltaTo
	}
	n, err := writeFile(fsys, dir, l.Name, sync, write, tee)
	if err != nil {
		return Link{}, err
	}
	l.Size = n
	c.Add(l)
	return l, nil
}

// OpenChain returns a function that opens the concatenation of the
// chain's files in dir: the checkpoint's bytes.
func OpenChain(fsys wal.FS, dir string, links []Link) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		var rs []io.Reader
		var cs []io.Closer
		for _, l := range links {
			rc, err := openFunc(fsys, filepath.Join(dir, l.Name))()
			if err != nil {
				for _, c := range cs {
					c.Close()
				}
				return nil, err
			}
			rs, cs = append(rs, rc), append(cs, rc)
		}
		return multiCloser{io.MultiReader(rs...), cs}, nil
	}
}

type multiCloser struct {
	io.Reader
	cs []io.Closer
}

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m.cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// readChain walks the chain that ends with the file name (of op) back to
// its base, by the op each delta's header names, and returns its links,
// base first. Where both a base and a delta file exist for an op, the
// base is taken (both hold the state at that op).
func readChain(fsys wal.FS, dir, name string, op uint64) ([]Link, error) {
	var links []Link
	for {
		l, prev, err := readLink(fsys, dir, name)
		if err != nil {
			return nil, err
		}
		if l.Op != op {
			return nil, fmt.Errorf("%w: %s holds op %d, expected %d", core.ErrBadCheckpoint, name, l.Op, op)
		}
		links = append([]Link{l}, links...)
		if !l.Delta {
			return links, nil
		}
		if len(links) > maxDeltas+1 {
			return nil, fmt.Errorf("%w: a chain of more than %d deltas", core.ErrBadCheckpoint, maxDeltas)
		}
		op, name = prev, CheckpointFile(prev)
		if _, err := fileSize(fsys, filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			name = DeltaFile(prev)
		}
	}
}

// readLink reads the header of the checkpoint file name and its size.
func readLink(fsys wal.FS, dir, name string) (Link, uint64, error) {
	path := filepath.Join(dir, name)
	size, err := fileSize(fsys, path)
	if err != nil {
		return Link{}, 0, err
	}
	rc, err := openFunc(fsys, path)()
	if err != nil {
		return Link{}, 0, err
	}
	defer rc.Close()
	rec, err := core.ReadCheckpointRecord(rc)
	if err != nil {
		return Link{}, 0, fmt.Errorf("%s: %w", name, err)
	}
	return Link{Op: rec.Op, Name: name, Size: size, Delta: rec.Delta}, rec.Prev, nil
}

// statter is implemented by a file system that can tell a file's size
// without reading it (the operating system's).
type statter interface {
	Stat(name string) (fs.FileInfo, error)
}

// fileSize returns the size of the file path of fsys.
func fileSize(fsys wal.FS, path string) (uint64, error) {
	if s, ok := fsys.(statter); ok {
		fi, err := s.Stat(path)
		if err != nil {
			return 0, err
		}
		return uint64(fi.Size()), nil
	}
	if _, ok := fsys.(opener); ok {
		fi, err := os.Stat(path)
		if err != nil {
			return 0, err
		}
		return uint64(fi.Size()), nil
	}
	b, err := fsys.ReadFile(path)
	return uint64(len(b)), err
}
