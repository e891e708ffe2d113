package core

import (
	"errors"
	"fmt"

	"github.com/vr-go/vr/message"
)

// Durable is what durable mode reads back from disk: the hard state and the
// log, both made durable before any message that depended on them left the
// replica (the driver's "persist, then send" rule).
type Durable struct {
	HardState HardState
	// Checkpoint is the newest durable checkpoint, or nil.
	Checkpoint *Checkpoint
	// LogBase is the op below Log's first entry: ops at or below it are
	// covered by Checkpoint, or by a checkpoint still to be fetched when
	// Checkpoint is older than LogBase.
	LogBase uint64
	Log     []message.Entry // ops LogBase+1..LogBase+len(Log)
}

// ErrBadDurableState is returned (wrapped) by New for a durable state that
// cannot have been written by a correct replica.
var ErrBadDurableState = errors.New("core: inconsistent durable state")

// restart resumes from d. The replica kept every promise it made: entries it
// acknowledged, its last-normal-view and the view of any DoViewChange it sent
// were durable before the messages left. So resuming is the same as having
// been paused, and it needs no recovery protocol: it re-enters its view as a
// normal replica if it was normal there, or its view change otherwise.
func (r *Replica) restart(d *Durable) error {
	hs := d.HardState
	switch {
	case !(hs.LastNormalView <= hs.PromisedView && hs.PromisedView <= hs.View):
		return fmt.Errorf("%w: views %d <= %d <= %d do not hold", ErrBadDurableState, hs.LastNormalView, hs.PromisedView, hs.View)
	case hs.Commit > d.LogBase+uint64(len(d.Log)):
		return fmt.Errorf("%w: commit %d beyond log end %d", ErrBadDurableState, hs.Commit, d.LogBase+uint64(len(d.Log)))
	}
	for i, e := range d.Log {
		if e.Op != d.LogBase+uint64(i)+1 {
			return fmt.Errorf("%w: entry %d has op %d", ErrBadDurableState, d.LogBase+uint64(i)+1, e.Op)
		}
	}
	r.noExec = true // executing may move epochs: only once the views are back
	r.base = d.LogBase
	r.log = append([]message.Entry(nil), d.Log...)
	r.recountLog()
	r.commit = max(hs.Commit, r.base)
	if err := r.restoreDurableCheckpoint(d.Checkpoint); err != nil {
		return err
	}
	if !r.boundLog() {
		return fmt.Errorf("%w: %d bytes of log above commit %d exceed the bound %d", ErrBadDurableState,
			r.logBytes, r.commit, r.cfg.logLimit())
	}
	r.view, r.lastNormalView, r.promisedView = hs.View, hs.LastNormalView, hs.PromisedView
	r.announcedView = max(hs.AnnouncedView, hs.View) // a disk written before the field existed holds 0
	r.resetViewTimer()
	r.timers.silent = true
	if hs.LastNormalView == hs.View && r.isPrimary() && r.cfg.DurableAcks {
		// It may have sent Prepares for entries that never became durable
		// here: backups can hold more of this view than it does now, so it
		// must not go on as this view's primary. Hand the view on.
		r.status = StatusViewChange
		if r.executeAtRestart() {
			return nil
		}
		r.startViewChange(hs.View + 1)
		return nil
	}
	if hs.LastNormalView == hs.View {
		r.status = StatusNormal
		if r.isPrimary() {
			r.becomePrimary()
		}
	} else {
		r.status = StatusViewChange
		r.vc.svc[r.index] = true
		if hs.PromisedView == hs.View {
			r.vc.dvcSent = true // re-sent on the next retry
		}
	}
	if r.executeAtRestart() {
		return nil
	}
	if r.status == StatusViewChange && r.vc.dvcSent && r.isPrimary() {
		r.sendDoViewChange() // the new primary counts its own DoViewChange
	}
	return nil
}

// restoreDurableCheckpoint restores the durable checkpoint when the log
// continues from it; an older one is useless (the ops between it and the
// log were dropped), so the replica fetches a newer one instead.
func (r *Replica) restoreDurableCheckpoint(ck *Checkpoint) error {
	if ck == nil || ck.Op == 0 {
		return nil
	}
	if r.witness {
		return fmt.Errorf("%w: a witness holds no checkpoint, but one at op %d was found (the data of a full replica?)", ErrBadDurableState, ck.Op)
	}
	if ck.Op < r.base {
		return nil
	}
	if ck.Op > r.op() {
		return fmt.Errorf("%w: checkpoint at op %d beyond log end %d", ErrBadDurableState, ck.Op, r.op())
	}
	r.commit = max(r.commit, ck.Op)
	if err := r.installCheckpoint(ck); err != nil {
		return fmt.Errorf("%w: checkpoint at op %d: %w", ErrBadDurableState, ck.Op, err)
	}
	r.out.Checkpoint = nil // it is durable already
	r.saved[0] = ck.Op
	return nil
}

// executeAtRestart executes the committed log and reports whether that
// moved the replica into a new epoch (a RECONFIGURATION executed), which
// then starts normal in view 0 of it. Clients were answered before the
// crash, or retry.
func (r *Replica) executeAtRestart() bool {
	epoch := r.members.Epoch
	r.noExec = false
	r.execute()
	r.out.Replies = nil
	return r.members.Epoch != epoch
}
