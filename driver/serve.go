package driver

import (
	"hash/crc32"
	"io"
	"slices"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// Checkpoints saves the checkpoints a replica takes, off the replica's
// step, and keeps the newest saved ones to serve to peers. The replica
// holds no checkpoint bytes: what it takes is a handle (core.Checkpoint)
// whose bytes the saver writes, and GetCheckpoint is answered here, from
// what was saved.
type Checkpoints interface {
	// Save starts writing ck, whose Output (with the hard state hs) is
	// durable. It must not block for the write: the owner of the driver
	// calls Driver.CheckpointSaved from the driver's loop once ck is
	// durable (durable mode) and readable through Held. It may decline
	// (one write at a time): the replica then keeps its log until a later
	// checkpoint is saved.
	Save(ck *core.Checkpoint, hs core.HardState)
	// Held returns the saved checkpoints that may be served, newest first.
	Held() []Held
}

// Asked is a Checkpoints that writes checkpoints only while peers fetch
// them (the node's diskless saver: a checkpoint nobody fetches is never
// written). Asked tells it of every GetCheckpoint, before it is served;
// it may start writing its newest checkpoint, which Held returns once
// written (the peer's next GetCheckpoint finds it).
type Asked interface {
	Asked(m *message.GetCheckpoint)
}

// Held is one saved, encoded checkpoint.
type Held struct {
	Op, Size uint64
	Data     io.ReaderAt
	// Links are the records of its chain, base first, whose bytes Data
	// holds one after the other (nil: unknown; the chain is then served
	// only whole).
	Links []HeldLink
	// Older, if not nil, holds deltas that lead to the same checkpoint
	// from inside an older chain (storage.Chain.Older): records after one
	// of them are served from it when Links do not hold the one asked.
	Older *Held
}

// HeldLink is one record of a held checkpoint's chain.
type HeldLink struct{ Op, Size uint64 }

// suffix returns the offset in h's bytes after its record of op, if h's
// chain holds one that is not its last. The planted DeltaFromOtherChain
// returns the offset of that record instead: the records served then do
// not follow the asker's chain.
func (h *Held) suffix(op uint64, bugs plant.Driver) (uint64, bool) {
	if h == nil {
		return 0, false
	}
	var off uint64
	for i, l := range h.Links {
		if l.Op == op && i < len(h.Links)-1 {
			if bugs.DeltaFromOtherChain {
				return off, true
			}
			return off + l.Size, true
		}
		off += l.Size
	}
	return 0, false
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CheckpointSaved tells the replica that the checkpoint at op is saved and
// sends what that changes (its log shrinks; durable mode truncates its
// write-ahead log with the next write).
func (d *Driver) CheckpointSaved(op uint64) {
	d.replica.CheckpointSaved(op)
	d.Flush()
}

// save hands an Output's checkpoint ck, if any, and its hard state hs to
// the saver. The Output's log writes are durable by now, so the checkpoint
// never gets ahead of the log it was taken from.
func (d *Driver) save(ck *core.Checkpoint, hs core.HardState) {
	if ck != nil && d.cfg.Checkpoints != nil {
		d.cfg.Checkpoints.Save(ck, hs)
	}
}

// serve answers a peer's GetCheckpoint with one chunk of checkpoint m.Op,
// or of the newest held in [m.MinOp, m.MaxOp]. Asked for a checkpoint it
// no longer holds, it sends the first chunk of the newest one in the range
// if that is newer: the peer's fetch moves to it (core/checkpointfetch.go)
// instead of waiting a retry at every replica for a checkpoint they all
// replaced. A checkpoint that cannot be read serves nothing: the peer asks
// another replica at its next retry.
func (d *Driver) serve(m *message.GetCheckpoint) {
	self := d.replica.ID()
	if d.cfg.Checkpoints == nil || m.Replica == self {
		return
	}
	if a, lazy := d.cfg.Checkpoints.(Asked); lazy && !d.cfg.bugs.NeverAsked {
		a.Asked(m)
	}
	held := d.cfg.Checkpoints.Held()
	h, ok := pickHeld(held, m)
	if !ok && m.Op != 0 && m.Offset != 0 && !d.cfg.bugs.ServeNoContinuation && !d.cfg.bugs.ServeOnlyAsked {
		// A checkpoint this replica replaced by a newer one of the same
		// chain: its bytes so far are the newer one's too, so the fetch
		// goes on in it from the same offset.
		if c, ok := pickContinuation(held, m); ok {
			newer := *m
			newer.Op = c.Op
			d.serveChunk(&newer, c)
			return
		}
	}
	if !ok && m.Op != 0 && !d.cfg.bugs.ServeOnlyAsked {
		// A checkpoint this replica replaced: the first chunk of its
		// newest one in the range instead.
		h, ok = pickNewer(held, m)
		newer := *m
		newer.Op, newer.Offset = h.Op, 0
		m = &newer
	}
	if !ok {
		return
	}
	d.serveChunk(m, h)
}

// serveChunk sends the chunk of h that m asks for.
func (d *Driver) serveChunk(m *message.GetCheckpoint, h Held) {
	self := d.replica.ID()
	// The records after m.After, if the chain holds it; otherwise the
	// whole chain, unless the asker resumes a fetch of records after it.
	start, after := uint64(0), uint64(0)
	if m.After != 0 {
		if s, ok := h.suffix(m.After, d.cfg.bugs); ok {
			start, after = s, m.After
		} else if s, ok := h.Older.suffix(m.After, d.cfg.bugs); ok {
			h, start, after = *h.Older, s, m.After
		} else if m.Op != 0 && m.Offset != 0 {
			return
		}
	}
	size := h.Size - start
	if m.Offset > size {
		return
	}
	chunk := uint64(d.cfg.ChunkSize)
	if chunk == 0 {
		chunk = core.DefaultCheckpointChunk
	}
	buf := make([]byte, min(chunk, size-m.Offset))
	if n, _ := h.Data.ReadAt(buf, int64(start+m.Offset)); n < len(buf) {
		return // ReadAt's error is only useful when it read less
	}
	d.cfg.Network.Send(int(m.Replica), &message.CheckpointChunk{
		Epoch: m.Epoch, Replica: self, Op: h.Op, Size: size, Offset: m.Offset, After: after,
		Checksum: crc32.Checksum(buf, castagnoli), Data: buf,
	})
}

// pickContinuation picks, for a GetCheckpoint that resumes a fetch of m.Op
// (not held any more), the newest held checkpoint that continues it: its
// bytes (after m.After) begin with the ones of m.Op's. For a whole chain
// (After 0) that is a chain that holds the record of m.Op after its base:
// the chain that ended at m.Op, grown by later deltas. For the records
// after m.After, the chain serveChunk serves them from (the checkpoint's
// own, or its Older deltas) must hold the records of m.After and of m.Op.
// A chain rebased since, or one without the record of m.Op, does not
// continue it.
func pickContinuation(held []Held, m *message.GetCheckpoint) (Held, bool) {
	var best Held
	found := false
	for _, h := range held {
		if h.Op <= m.Op || h.Op > m.MaxOp || !h.continues(m) {
			continue
		}
		if !found || h.Op > best.Op {
			best, found = h, true
		}
	}
	return best, found
}

// continues reports whether h's bytes for m begin with those of m.Op's.
func (h *Held) continues(m *message.GetCheckpoint) bool {
	if m.After == 0 {
		return h.extends(m.Op)
	}
	chain := h
	if !h.holdsLink(m.After) {
		chain = h.Older
	}
	return chain != nil && m.Op > m.After && chain.holdsLink(m.After) && chain.holdsLink(m.Op)
}

// extends reports whether h's chain holds the record of op after its base:
// the chain that ended at op, grown by later deltas.
func (h *Held) extends(op uint64) bool { return h.linkIndex(op) > 0 }

// holdsLink reports whether h's chain holds a record of op.
func (h *Held) holdsLink(op uint64) bool { return h != nil && h.linkIndex(op) >= 0 }

// linkIndex returns the position of the record of op in h's chain, -1 if
// it holds none.
func (h *Held) linkIndex(op uint64) int {
	return slices.IndexFunc(h.Links, func(l HeldLink) bool { return l.Op == op })
}

// pickNewer picks, for a GetCheckpoint whose m.Op is not held, the newest
// held checkpoint in [m.MinOp, m.MaxOp] if it is newer than m.Op.
func pickNewer(held []Held, m *message.GetCheckpoint) (Held, bool) {
	h, ok := pickHeld(held, &message.GetCheckpoint{MinOp: m.MinOp, MaxOp: m.MaxOp})
	return h, ok && h.Op > m.Op
}

// pickHeld picks the checkpoint m asks for: m.Op, or the newest held in
// [m.MinOp, m.MaxOp].
func pickHeld(held []Held, m *message.GetCheckpoint) (Held, bool) {
	for _, h := range held {
		switch {
		case m.Op != 0 && h.Op == m.Op:
			return h, true
		case m.Op == 0 && h.Op >= m.MinOp && h.Op <= m.MaxOp:
			return h, true
		}
	}
	return Held{}, false
}
