package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/wal"
)

// Checkpoints are written as chains (core/delta.go): a base file,
// checkpoint-<op>.vrck, holding a whole checkpoint, and delta files,
// checkpoint-<op>.vrcd, each holding what changed since the link before
// it (its header names that link's op). A checkpoint whose state machine
// can write a delta starting at the chain's end is appended as a delta.
// Once the deltas add up to the base, or number rebaseDeltas, the
// checkpoint is still appended as a delta, and a new base of it is written
// *in the background* (WriteBase, the writer's second lane) while later
// checkpoints keep being appended as deltas: when the base is durable, the
// chain becomes that base and the deltas after it. So no checkpoint ever
// waits for a whole-state write (which would let the log fill up and hold
// requests back), and a checkpoint costs what changed plus, amortised, a
// base per base's worth of deltas: at most twice what changed (bases every
// half base cost a diskless replica at 1 GB a quarter of its CPU:
// docs/benchmarks.md, "Records in slabs, fewer bases"). Only
// a chain that cannot continue (no delta: the first checkpoint, one after
// a restore or a failed write, or maxDeltas reached while the base is
// still being written) gets its base in line. A checkpoint's bytes are its
// chain's files concatenated: what a restart verifies and restores, and
// what peers fetch. Where both a base and a delta file exist for an op,
// both hold the state at that op, and the base is taken.

const (
	deltaExt = ".vrcd"
	// rebaseDeltas is how many deltas start a new base at the latest.
	rebaseDeltas = 128
	// maxDeltas bounds the deltas of a chain (files held open to serve
	// it, records to restore) while a base is being written.
	maxDeltas = 256
	// rebaseShare: a new base once the deltas reach base/rebaseShare.
	// (Until the fifth session 64 and 2.)
	rebaseShare = 1
)

// DeltaFile is the file name of the delta checkpoint at op.
func DeltaFile(op uint64) string {
	return checkpointName(op, deltaExt)
}

// Link is one file of a checkpoint chain.
type Link struct {
	Op    uint64
	Name  string
	Size  uint64
	Delta bool
}

// Chain is the chain of checkpoint files a writer appends to: a base and
// the deltas on it, oldest first, and the base being written in the
// background, if any. The zero value is empty. Its methods may be called
// from the writer's two lanes at once.
type Chain struct {
	mu         sync.Mutex
	links      []Link
	deltaBytes uint64
	basing     uint64 // the op of the base being written; 0: none
	// older are the deltas of the chain before the last background base,
	// up to the one of that base's op: kept (and served) so that a peer
	// whose chain ends inside them fetches only the deltas after its end
	// (Older), not the whole new base.
	older []Link
	// turn, if set, says whether this replica's turn to start a base of
	// the given size has come (Stagger); nil: any time.
	turn func(size uint64) bool
}

// staggerSlot is the shortest turn to start a base (Stagger): longer than
// a GiB-sized base takes to write unpaced.
const staggerSlot = 8 * time.Second

// turnLength is how long each replica's turn lasts for a base of size
// bytes written at rate bytes per second (0: unpaced: staggerSlot): what
// the base takes in whole seconds (on which replicas whose bases differ a
// little in size still agree), a quarter more and two seconds, at least
// staggerSlot; a paced base starts only early enough in the turn to end
// within it (inTurn). The turns must come round faster than a replica's
// chain doubles, or the bases start overdue, out of turn: at 128 MiB/s, a
// GiB-sized base takes 8 s, a turn 12 s and a round of 3 replicas 36 s,
// against about 32 s for 64 deltas of 8 MiB at 16k writes of 1 KiB a
// second.
func turnLength(size uint64, rate int64) time.Duration {
	if rate <= 0 {
		return staggerSlot
	}
	return max(staggerSlot, time.Duration(baseSeconds(size, rate)*5/4+2)*time.Second)
}

// baseSeconds is how many whole seconds a base of size bytes takes at
// rate (positive), rounded up.
func baseSeconds(size uint64, rate int64) uint64 {
	return (size + uint64(rate) - 1) / uint64(rate)
}

// inTurn reports whether the moment now falls in the turn of replica
// index of of, for a base of size bytes at rate, early enough that the
// base ends within the turn.
func inTurn(now time.Time, index, of int, size uint64, rate int64) bool {
	turn := turnLength(size, rate)
	cycle := int64(turn) * int64(of)
	into := now.UnixNano()%cycle - int64(turn)*int64(index)
	if into < 0 || into >= int64(turn) {
		return false
	}
	return rate <= 0 || into+int64(baseSeconds(size, rate))*int64(time.Second) <= int64(turn)
}

// Stagger makes the chain of replica index (of replicas) start its
// background bases only in its turn: the slots of the clock now that fall
// to it round-robin, each as long as a base takes at rate bytes per
// second (turnLength; unpaced: staggerSlot), unless the chain is overdue
// (twice the thresholds). The replicas of a cluster write their
// checkpoints at the same ops, so without it they all reach the rebase
// thresholds at the same op, every time, and write their bases at the
// same moment: all slowed at once (on a machine they share, and on their
// own), where staggered ones leave a quorum that is not writing a base.
// A due base waits at most (of−1) slots. Call it before the chain is
// used; the zero value does not stagger (the simulator's chains: it has
// no clock to read).
func (c *Chain) Stagger(index, of int, now func() time.Time, rate int64) {
	if index < 0 || of < 1 || index >= of || now == nil {
		panic(fmt.Sprintf("storage: stagger of replica %d of %d", index, of))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.turn = func(size uint64) bool { return inTurn(now(), index, of, size, rate) }
}

// Older returns the deltas that lead from inside the chain before the
// last background base to the chain's end: that chain's deltas up to the
// one of the base's op, then the deltas after the base (nil: none, the
// chain's base was written in line). Their bytes continue any chain that
// ends at one of them but the last.
func (c *Chain) Older() []Link {
	_, older := c.Both()
	return older
}

// Both returns Links and Older, at one moment.
func (c *Chain) Both() (links, older []Link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	links = append([]Link(nil), c.links...)
	if len(c.older) > 0 {
		older = append(append([]Link(nil), c.older...), c.links[1:]...)
	}
	return links, older
}

// Links returns the chain's files, base first (a copy).
func (c *Chain) Links() []Link {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Link(nil), c.links...)
}

// Names returns the names of the chain's files, and of the base being
// written in the background once it is in place: the files to keep.
func (c *Chain) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for _, l := range c.links {
		names = append(names, l.Name)
	}
	for _, l := range c.older {
		names = append(names, l.Name)
	}
	if c.basing != 0 {
		names = append(names, CheckpointFile(c.basing))
	}
	return names
}

// reset makes the chain links (read back at a restart).
func (c *Chain) reset(links []Link) {
	c.mu.Lock()
	c.links, c.deltaBytes, c.basing, c.older = nil, 0, 0, nil
	c.mu.Unlock()
	for _, l := range links {
		c.Add(l)
	}
}

// end returns the op of the chain's newest link (0: empty).
func (c *Chain) end() uint64 {
	if len(c.links) == 0 {
		return 0
	}
	return c.links[len(c.links)-1].Op
}

// Plan is how a checkpoint is written: as a delta or whole, and whether
// a new base of it is to be written in the background (WriteBase).
type Plan struct {
	Delta, Rebase bool
}

// Plan decides how ck is written on c. A Plan with Rebase marks the base
// as being written: the caller must call WriteBase (or BaseDone).
func (c *Chain) Plan(ck *core.Checkpoint) Plan {
	c.mu.Lock()
	defer c.mu.Unlock()
	from, ok := ck.DeltaFrom()
	if !ok || len(c.links) == 0 || from != c.end() {
		return Plan{}
	}
	deltas := len(c.links) - 1
	base := c.links[0].Size
	small := deltas < rebaseDeltas && c.deltaBytes*rebaseShare < base
	overdue := deltas >= 2*rebaseDeltas || c.deltaBytes*rebaseShare >= 2*base
	switch {
	case small:
		return Plan{Delta: true}
	case c.basing == 0 && (c.turn == nil || overdue || c.turn(base)):
		c.basing = ck.Op
		return Plan{Delta: true, Rebase: true}
	}
	return Plan{Delta: deltas < maxDeltas}
}

// Add appends a written link; a base starts a new chain.
func (c *Chain) Add(l Link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !l.Delta {
		c.links, c.deltaBytes, c.older = nil, 0, nil
	}
	c.links = append(c.links, l)
	if l.Delta {
		c.deltaBytes += l.Size
	}
}

// BaseDone ends the background base of op: written (ok, as base), the
// chain becomes that base and the deltas after it — if the chain still
// holds a link at op; otherwise the base is of no use and left to be
// removed with the files of no chain.
func (c *Chain) BaseDone(base Link, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.basing = 0
	if !ok {
		return
	}
	for i, l := range c.links {
		if l.Op == base.Op {
			c.older = nil
			if i > 0 && l.Delta {
				c.older = append([]Link(nil), c.links[1:i+1]...)
			}
			c.links = append([]Link{base}, c.links[i+1:]...)
			c.deltaBytes = 0
			for _, l := range c.links[1:] {
				c.deltaBytes += l.Size
			}
			return
		}
	}
}

// Basing returns the op of the base being written in the background (0:
// none): its temporary file must not be removed.
func (c *Chain) Basing() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.basing
}

// WriteLink writes ck into dir as the next link of c — a delta file or a
// base file, as c plans — and appends it to c; it reports whether a new
// base of ck is to be written in the background (WriteBase). With sync,
// the file is fsynced as it goes and at the end, then the directory, so
// that it is durable when WriteLink returns. tee, if not nil, sees the
// bytes written. Diskless nodes use it without sync for their scratch
// copies.
func WriteLink(fsys wal.FS, dir string, c *Chain, ck *core.Checkpoint, sync bool, tee io.Writer) (Link, bool, error) {
	p := c.Plan(ck)
	l := Link{Op: ck.Op, Name: CheckpointFile(ck.Op)}
	write := ck.WriteTo
	if p.Delta {
		l.Name, l.Delta, write = DeltaFile(ck.Op), true, ck.WriteDeltaTo
	}
	n, err := writeFile(fsys, dir, l.Name, fileOpts{sync: sync}, write, tee)
	if err != nil {
		if p.Rebase {
			c.BaseDone(Link{}, false)
		}
		return Link{}, false, err
	}
	l.Size = n
	c.Add(l)
	return l, p.Rebase, nil
}

// WriteBase writes ck whole into dir as a base file, in the background
// of later WriteLinks (the snapshot's WriteTo may run beside its
// WriteDeltaTo), and makes it the base of c once written (BaseDone);
// with sync, durably, and with rate, no faster than rate bytes per second
// (see Config.BaseRate).
func WriteBase(fsys wal.FS, dir string, c *Chain, ck *core.Checkpoint, sync bool, rate int64, tee io.Writer) (Link, error) {
	return writeBase(fsys, dir, c, ck, fileOpts{sync: sync, rate: rate}, tee)
}

func writeBase(fsys wal.FS, dir string, c *Chain, ck *core.Checkpoint, o fileOpts, tee io.Writer) (Link, error) {
	l := Link{Op: ck.Op, Name: CheckpointFile(ck.Op)}
	n, err := writeFile(fsys, dir, l.Name, o, ck.WriteTo, tee)
	l.Size = n
	c.BaseDone(l, err == nil)
	return l, err
}

// OpenChain returns a function that opens the concatenation of the
// chain's files in dir: the checkpoint's bytes.
func OpenChain(fsys wal.FS, dir string, links []Link) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		var rs []io.Reader
		var cs []io.Closer
		var mems []memFile
		for _, l := range links {
			rc, err := openFunc(fsys, filepath.Join(dir, l.Name))()
			if err != nil {
				for _, c := range cs {
					c.Close()
				}
				return nil, err
			}
			rs, cs = append(rs, rc), append(cs, rc)
			if m, ok := rc.(memFile); ok {
				mems = append(mems, m)
			}
		}
		m := multiCloser{io.MultiReader(rs...), cs}
		if len(mems) == len(rs) {
			return memChain{m, mems}, nil
		}
		return m, nil
	}
}

// memChain is a chain whose files were all read whole; its Len lets a
// reader size its buffer (a 64 KiB buffer per read was a twentieth of
// what the simulator's durable runs allocated).
type memChain struct {
	multiCloser
	mems []memFile
}

// Len returns the number of bytes not yet read.
func (m memChain) Len() int {
	n := 0
	for _, f := range m.mems {
		n += f.Len()
	}
	return n
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
	if base := CheckpointFile(op); base != name {
		if _, err := fileSize(fsys, filepath.Join(dir, base)); err == nil {
			name = base // a base written in the background after its delta
		}
	}
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
