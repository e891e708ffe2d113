package sim

import (
	"math/rand/v2"
	"path"
	"strings"
)

// crash leaves the disk as a power loss would, and returns how many
// operations in flight were lost or torn. Barriers that completed stay
// durable. Of those in flight, the disk may have completed some without
// the replica learning of it: a random number of them complete, or, unless
// the crash is aimed into a write (midWrite), half the time none. The
// operations of the next barrier were under way: per file, a prefix of its
// writes survives in order, the write after that prefix may be torn (a
// prefix of its bytes), and the rest are lost; of the namespace
// operations (creations, renames, removals) a prefix survives. Everything
// after that barrier is lost. That is what the log assumes of a file
// system (ext4 data=ordered, xfs): a file's new size is durable only with
// its data, and what an fsync covered is durable when it returns.
func (f *simFS) crash(rng *rand.Rand, midWrite bool) (faulted int) {
	if k := rng.IntN(len(f.barriers) + 1); k > 0 && (midWrite || rng.IntN(2) == 0) {
		f.completed += uint64(k)
		f.settle(f.barriers[k-1])
		f.barriers = f.barriers[k:]
	}
	end := len(f.ops)
	if len(f.barriers) > 0 {
		end = f.barriers[0]
	}
	f.synced = map[string]int64{}
	for name, fd := range f.durable.files {
		f.synced[name] = fd.size
	}
	faulted = f.applyFaulted(rng, f.ops[:end])
	faulted += len(f.ops) - end
	f.completed += uint64(len(f.barriers))
	f.ops, f.barriers = nil, nil
	f.live, f.durable = f.durable, f.durable.clone() // the live image appends in place
	return faulted
}

// applyFaulted applies the operations of an interrupted barrier to the
// durable image as a crash leaves them.
func (f *simFS) applyFaulted(rng *rand.Rand, ops []fsOp) (faulted int) {
	stopped := map[string]bool{}
	nsStopped := false
	for _, o := range ops {
		switch {
		case o.namespace() && nsStopped, !o.namespace() && stopped[o.name]:
			faulted++
		case o.namespace() && rng.IntN(2) == 0:
			nsStopped = true
			faulted++
		case o.namespace():
			f.durable.apply(o)
		case rng.IntN(2) == 0: // lost: most of a page cache is
			stopped[o.name] = true
			faulted++
		case o.kind == opWrite && o.size() > 1 && rng.IntN(2) == 0: // torn
			o.tear(rng.IntN(int(o.size())))
			f.durable.apply(o)
			stopped[o.name] = true
			faulted++
		default:
			f.durable.apply(o)
		}
	}
	return faulted
}

// rot flips one to three bits of one byte of durable data (the disk is crashed: its
// live image is its durable one) and returns where. Half the time it hits
// the end of what completed syncs covered in the newest log segment (the
// last synced group and its sync record: review finding B); otherwise any
// byte of any file of the data directory.
func (f *simFS) rot(rng *rand.Rand) string {
	name, off := f.rotTarget(rng)
	if name == "" {
		return ""
	}
	// One damaged place: the log tells a synced group from a torn one by
	// the valid sync record after it (docs/durability.md), so damage to
	// both at once is beyond what it promises to detect.
	fd := f.durable.files[name]
	x := fd.byteAt(off)
	for range 1 + rng.IntN(3) {
		x ^= 1 << rng.IntN(8)
	}
	fd.writeAt([]byte{x}, off)
	f.live, f.durable = f.durable, f.durable.clone() // the live image appends in place
	return name
}

// rotTarget picks the file and offset rot damages ("" if the disk holds
// no data).
func (f *simFS) rotTarget(rng *rand.Rand) (string, int64) {
	var files []string
	newest := ""
	for _, k := range sortedKeys(f.durable.files) {
		if f.durable.size(k) == 0 || strings.HasSuffix(k, "/LOCK") || strings.Contains(k, "/corrupt-") {
			continue
		}
		files = append(files, k)
		if strings.HasSuffix(k, ".seg") && path.Base(path.Dir(k)) == "log" {
			newest = k
		}
	}
	if len(files) == 0 {
		return "", 0
	}
	const header = 3 << 12 // a format-2 segment's header
	if s := min(f.synced[newest], f.durable.size(newest)); newest != "" && s > header && rng.IntN(2) == 0 {
		return newest, s - 1 - int64(rng.IntN(int(min(200, s-header))))
	}
	name := files[rng.IntN(len(files))]
	return name, int64(rng.IntN(int(f.durable.size(name))))
}
