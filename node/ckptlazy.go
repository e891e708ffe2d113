package node

import (
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// lazySaves is how a diskless replica saves its checkpoints: it writes
// none while no peer fetches one. A checkpoint the core takes is a
// copy-on-write handle (kv: a clone of the tree and of the table of
// slabs), which can be written at any later time; so while idle, Save
// keeps the newest handle and reports it saved at once (the loop tells the
// replica through takeSaved, and its log is truncated as after a written
// save). A peer's GetCheckpoint (driver.Asked) makes the writer write
// that newest handle at once, whole, and every checkpoint after it as
// usual (deltas on a chain, storage/chain.go), until eagerWindow passes
// with no GetCheckpoint: a backup that fetched a gigabyte while the
// cluster kept writing catches up by fetching the deltas after what it
// installed, which only a chain written meanwhile holds (a whole
// checkpoint at every fetch left a restarted backup fetching for ever at
// 1M keys of 1 KiB under load).
//
// Why: a diskless replica wrote a delta every 8 MiB of log and a whole
// base of its state every 128 deltas, for peers that in a fault-free run
// never fetch one. At 1M keys of 1 KiB, three replicas and 64 clients on
// two cores, that was a fifth of the throughput and nearly every second
// whose p99 exceeded 20 ms (docs/benchmarks.md, sixteenth session). A
// durable replica writes every checkpoint: its restart reads it.
type lazySaves struct {
	on         bool
	eagerUntil time.Time        // checkpoints are written until then
	newest     *core.Checkpoint // the newest checkpoint taken while idle, not written
	newestHS   core.HardState
	saved      []uint64 // ops taken while idle since the loop last asked
}

// eagerWindow is how long after a peer's last GetCheckpoint a diskless
// replica goes on writing its checkpoints.
const eagerWindow = 30 * time.Second

// idle reports whether checkpoints taken now are kept, not written.
func (l *lazySaves) idle(now time.Time) bool { return l.on && now.After(l.eagerUntil) }

// save keeps ck as the newest checkpoint, saved.
func (l *lazySaves) save(ck *core.Checkpoint, hs core.HardState) {
	l.newest, l.newestHS = ck, hs
	l.saved = append(l.saved, ck.Op)
}

// takeSaved returns the ops of the checkpoints saved while idle since the
// last call, for the loop to report (Driver.CheckpointSaved). Nil for a
// witness.
func (w *ckptWriter) takeSaved() []uint64 {
	if w == nil || len(w.lazy.saved) == 0 {
		return nil
	}
	ops := w.lazy.saved
	w.lazy.saved = nil
	return ops
}

// Asked implements driver.Asked: a peer fetches a checkpoint. Checkpoints
// are written for eagerWindow from now; an idle writer starts with the
// newest it kept.
func (w *ckptWriter) Asked(m *message.GetCheckpoint) {
	l := &w.lazy
	now := time.Now()
	if !l.on {
		return
	}
	wasIdle := l.idle(now)
	l.eagerUntil = now.Add(eagerWindow)
	if !wasIdle || l.newest == nil {
		return
	}
	ck, hs := l.newest, l.newestHS
	l.newest = nil
	w.log.Info("checkpoint wanted by a peer: writing it, and the next ones for a while", "op", ck.Op, "peer", m.Replica)
	w.save(ck, hs, true)
}
