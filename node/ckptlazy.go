package node

import (
	"time"

	"github.com/vr-go/vr/message"
)

// A diskless replica writes its checkpoints only while peers fetch them:
// driver.LazySaves decides, for this writer as for the simulator's (the
// why is there). While idle, Save keeps the newest checkpoint, a
// copy-on-write handle, and the loop reports it saved at once
// (takeSaved); a peer's GetCheckpoint (Asked) makes the writer write that
// handle whole, and every checkpoint after it, until
// driver.DefaultEagerWindow passes with no GetCheckpoint. A durable
// replica writes every checkpoint: its restart reads it.

// clock is the writer's time for driver.LazySaves.
func (w *ckptWriter) clock() time.Duration { return time.Since(w.started) }

// takeSaved returns the ops of the checkpoints saved while idle since the
// last call, for the loop to report (Driver.CheckpointSaved). Nil for a
// witness.
func (w *ckptWriter) takeSaved() []uint64 {
	if w == nil {
		return nil
	}
	return w.lazy.TakeSaved()
}

// Asked implements driver.Asked: a peer fetches a checkpoint. Checkpoints
// are written for the eager window from now; an idle writer starts with
// the newest it kept.
func (w *ckptWriter) Asked(m *message.GetCheckpoint) {
	ck, hs, ok := w.lazy.Asked(w.clock())
	if !ok {
		return
	}
	w.log.Info("checkpoint wanted by a peer: writing it, and the next ones for a while", "op", ck.Op, "peer", m.Replica)
	w.save(ck, hs, true)
}
