package sim

import (
	"bytes"
	"io"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/storage"
)

// A fetched checkpoint is installed off the replica's step, as the node
// does on a goroutine (core/install.go): the chunks the replica accepts
// are kept (in memory: the node writes them to a file), and the install
// completes after a simulated delay of up to maxInstall (in the fault
// phase, a quarter of the whole restores up to maxLongInstall, as disks
// are slow only then: a large state takes seconds,
// longer than a view-change timeout, so view changes, state transfers and
// epochs move on meanwhile; deltas applied to the state as it is are
// quick), while the replica's loop goes on; only then is the state machine restored, from
// the replica's own chain of Install.After (as held when the install
// started) and the fetched bytes. A crash meanwhile loses the install.

// maxInstall and maxLongInstall bound the simulated installs, in µs.
const (
	maxInstall     = 40_000
	maxLongInstall = 400_000
)

// simInstalls is a replica's installer as driver.Installs.
type simInstalls struct {
	r   *run
	rep *replica
}

// simInstall is an install under way.
type simInstall struct {
	in      *core.Install
	held    []driver.Held
	fetched []byte
}

// Chunk keeps a fetched chunk.
func (s simInstalls) Chunk(m *message.CheckpointChunk) {
	c := &s.rep.ckpts
	if m.Offset == 0 {
		c.fetched = nil
	}
	if m.Offset == uint64(len(c.fetched)) {
		c.fetched = append(c.fetched, m.Data...)
	}
}

// Install schedules the end of the install of in.
func (s simInstalls) Install(in *core.Install) {
	r, rep := s.r, s.rep
	si := &simInstall{in: in, held: rep.ckpts.held, fetched: rep.ckpts.fetched}
	rep.ckpts.fetched, rep.ckpts.installing = nil, true
	r.res.Installs++
	r.logf("replica %d: installing the checkpoint at op %d (after %d, in state %v, %d bytes fetched)", rep.idx, in.Op, in.After, in.InState, len(si.fetched))
	longest := int64(maxInstall)
	if !in.InState && !r.quiet && r.chance(0.25) { // slow like a slow disk: a fault, not in the quiet phase
		longest = maxLongInstall
	}
	r.schedule(r.now+r.between(1, longest), event{kind: evInstalled, node: rep.idx, inc: rep.inc, inst: si})
}

// installed runs an install when its delay is over and reports it to the
// replica.
func (r *run) installed(e event) {
	rep := r.replicas[e.node]
	if !r.loopDue(rep, e) {
		return
	}
	si := e.inst
	rep.ckpts.installing = false
	driver.RunInstall(si.held, si.in, func() io.Reader { return bytes.NewReader(si.fetched) }, uint64(len(si.fetched)))
	if si.in.After != 0 {
		r.res.DeltaInstalls++
	}
	if si.in.InState {
		r.res.InStateInstalls++
	}
	if err := si.in.Err(); err != nil {
		r.logf("replica %d: install of the checkpoint at op %d (after %d) failed: %v", rep.idx, si.in.Op, si.in.After, err)
	} else {
		r.logf("replica %d: installed the checkpoint at op %d", rep.idx, si.in.Op)
	}
	rep.drv.Installed(si.in)
}

// checkInstalling reports a replica that executed an op or took a
// checkpoint while its driver installs one: the state machine is not its
// own until the install is done (the node restores it on a goroutine).
func (r *run) checkInstalling(rep *replica, out *core.Output) bool {
	if !rep.ckpts.installing || r.viol != nil {
		return false
	}
	if out.Checkpoint != nil {
		r.violate(KindProtocol, "replica %d took a checkpoint at op %d while its driver installs one", rep.idx, out.Checkpoint.Op)
		return true
	}
	for _, a := range out.Applied {
		r.violate(KindProtocol, "replica %d executed op %d while its driver installs a checkpoint", rep.idx, a.Entry.Op)
		return true
	}
	return false
}

// heldLinks returns the records of a chain of links.
func heldLinks(links []simLink) []driver.HeldLink {
	out := make([]driver.HeldLink, len(links))
	for i, l := range links {
		out[i] = driver.HeldLink{Op: l.op, Size: uint64(len(l.data))}
	}
	return out
}

// splitLinks cuts the bytes of a chain read back from the disk into its
// links, as the storage lists them; one link if they do not add up.
func splitLinks(op uint64, chain []storage.Link, data []byte) []simLink {
	var out []simLink
	rest := data
	for _, l := range chain {
		if l.Size > uint64(len(rest)) {
			return []simLink{{op, data}}
		}
		out, rest = append(out, simLink{l.Op, rest[:l.Size:l.Size]}), rest[l.Size:]
	}
	if len(rest) != 0 || len(out) == 0 || out[len(out)-1].op != op {
		return []simLink{{op, data}}
	}
	return out
}
