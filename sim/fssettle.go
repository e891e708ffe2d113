package sim

import (
	"slices"
	"strings"
)

// settleShared applies the operations settled to the durable image, as
// settle does, without copying the data of most writes. The live image
// holds every operation since the durable one (rest: those still in
// flight), so a file that rest does not touch holds in the live image
// what the durable one holds once settled is applied: the durable image
// takes its contents, shared. So does a file that rest only appends to,
// up to where rest's first append found its end. A file that settled
// renames onto a name takes that name's live contents too. Other files,
// among them those that rest creates, removes or renames, replay settled
// in order. It returns false, having done nothing, if settled or rest
// renames a directory (which moves files whose writes it skipped), or
// if settled renames a file onto a name rest does more than append to.
// (Any rename or creation in flight used to send every file back to
// replaying, and the durable copies of the log's tail to growing by
// doubling.)
func (f *simFS) settleShared(settled, rest []fsOp) bool {
	// onlyAppended: rest does nothing to the file but append to it.
	onlyAppended := func(name string) bool {
		return !slices.ContainsFunc(rest, func(r fsOp) bool { return (r.name == name || r.to == name) && !r.appends() })
	}
	for _, o := range rest {
		if o.kind == opRename && f.mayBeDir(o.name, settled, rest) {
			return false
		}
	}
	for _, o := range settled {
		if o.kind == opRename && (f.mayBeDir(o.name, settled, rest) || !onlyAppended(o.to)) {
			return false
		}
	}
	shared := f.shared[:0] // files whose contents the live image gives
	defer func() { f.shared = shared[:0] }()
	for _, o := range settled {
		switch {
		case o.kind == opRename:
			f.durable.apply(o)
			shared = append(shared, o.to)
		case o.namespace(), !onlyAppended(o.name):
			f.durable.apply(o)
		case len(shared) == 0 || shared[len(shared)-1] != o.name:
			shared = append(shared, o.name)
		}
	}
	for _, name := range shared {
		fd, ok := f.durable.files[name]
		if !ok {
			continue // removed (or its creation lost in a crash)
		}
		lf, ok := f.live.files[name]
		if !ok {
			panic("sim: a file of the durable image that the live one lacks, though nothing in flight removed it: " + name)
		}
		size := lf.size
		if i := slices.IndexFunc(rest, func(r fsOp) bool { return r.name == name }); i >= 0 {
			size = rest[i].before // before rest's appends
		}
		fd.shareFrom(lf, size)
	}
	return true
}

// mayBeDir reports whether name may be a directory while ops run: it is
// one in the durable image, or one of ops makes or renames something at
// or below it.
func (f *simFS) mayBeDir(name string, ops ...[]fsOp) bool {
	if f.durable.dirs[name] {
		return true
	}
	for _, list := range ops {
		for _, o := range list {
			if (o.kind == opMkdir && strings.HasPrefix(o.name, name)) || (o.kind == opRename && strings.HasPrefix(o.to, name)) {
				return true
			}
		}
	}
	return false
}
