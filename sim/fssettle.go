package sim

import "slices"

// settleShared applies the operations settled to the durable image, as
// settle does, without copying the data of most writes. The live image
// holds every operation since the durable one (rest: those still in
// flight), so a file that rest does not touch holds in the live image
// what the durable one holds once settled is applied: the durable image
// takes its contents, shared. So does a file that rest only appends to,
// up to where rest's first append found its end. Other files, among
// them those that rest creates or removes, replay settled in order. It
// returns false, having done nothing, if rest or settled renames
// anything (a rename may move a file written before it onto a name rest
// touches). (A roll's new segment in flight used to send every file back
// to replaying, and the durable copies of the log's tail to growing by
// doubling.)
func (f *simFS) settleShared(settled, rest []fsOp) bool {
	isRename := func(o fsOp) bool { return o.kind == opRename }
	if slices.ContainsFunc(rest, isRename) || slices.ContainsFunc(settled, isRename) {
		return false
	}
	var shared []string // files whose contents the live image gives
	// onlyAppended: rest does nothing to the file but append to it.
	onlyAppended := func(name string) bool {
		return !slices.ContainsFunc(rest, func(r fsOp) bool { return r.name == name && !r.appends() })
	}
	for _, o := range settled {
		switch {
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
		b := lf.view()
		if i := slices.IndexFunc(rest, func(r fsOp) bool { return r.name == name }); i >= 0 {
			b = b[:rest[i].before:rest[i].before] // before rest's appends
		}
		fd.b, fd.frozen = b, len(b)
	}
	return true
}
