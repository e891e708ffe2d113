package driver

import (
	"time"

	"github.com/vr-go/vr/core"
)

// LazySaves decides when a diskless replica writes its checkpoints: while
// no peer fetches one, never. A checkpoint the core takes is a
// copy-on-write handle (kv: a clone of the tree and of the table of
// slabs), which can be written at any later time; so while idle, the
// saver keeps the newest handle (Keep) and reports it saved at once (the
// loop drains TakeSaved into Driver.CheckpointSaved, and the log is
// truncated as after a written save). A peer's GetCheckpoint (Asked) ends
// the idle time: the saver writes the newest handle at once, whole, and
// every checkpoint after it as usual (deltas on a chain,
// storage/chain.go), until Window passes with no GetCheckpoint. A backup
// that fetched a gigabyte while the cluster kept writing catches up by
// fetching the deltas after what it installed, which only a chain written
// meanwhile holds (a whole checkpoint at every fetch left a restarted
// backup fetching for ever at 1M keys of 1 KiB under load).
//
// Why: a diskless replica wrote a delta every 8 MiB of log and a whole
// base of its state every 128 deltas, for peers that in a fault-free run
// never fetch one: at 1M keys of 1 KiB, three replicas and 64 clients on
// two cores, a fifth of the throughput and nearly every second whose p99
// exceeded 20 ms (docs/benchmarks.md, sixteenth session). A durable
// replica writes every checkpoint: its restart reads it.
//
// The node's writer (node/ckptlazy.go) and the simulator's (sim/ckpt.go)
// both decide with it; times are on the caller's clock.
type LazySaves struct {
	// On: checkpoints are kept while idle (false: every one is written).
	On bool
	// Window is how long after a peer's last GetCheckpoint checkpoints
	// go on being written (0: DefaultEagerWindow).
	Window time.Duration

	eagerUntil time.Duration    // checkpoints are written until then
	asked      bool             // a GetCheckpoint came: eagerUntil is set
	newest     *core.Checkpoint // the newest checkpoint kept while idle, not written
	newestHS   core.HardState
	saved      []uint64 // ops kept while idle since TakeSaved
}

// DefaultEagerWindow is the node's LazySaves.Window.
const DefaultEagerWindow = 30 * time.Second

// idle reports whether checkpoints taken at now are kept, not written.
func (l *LazySaves) idle(now time.Duration) bool {
	return l.On && (!l.asked || now > l.eagerUntil)
}

// Keep is called with every checkpoint the replica takes. While idle it
// keeps ck as the newest, to be reported saved (TakeSaved), and returns
// true: nothing is written. Otherwise it returns false, and ck is to be
// written as usual.
func (l *LazySaves) Keep(now time.Duration, ck *core.Checkpoint, hs core.HardState) bool {
	if !l.idle(now) {
		l.newest = nil // written from now on
		return false
	}
	l.newest, l.newestHS = ck, hs
	l.saved = append(l.saved, ck.Op)
	return true
}

// TakeSaved returns the ops of the checkpoints kept since the last call,
// which the loop reports saved (Driver.CheckpointSaved).
func (l *LazySaves) TakeSaved() []uint64 {
	ops := l.saved
	l.saved = nil
	return ops
}

// Asked is called with every GetCheckpoint, at now: checkpoints are
// written until Window from now. If the saver was idle, it returns the
// newest checkpoint it kept, to be written at once (whole: the chain's
// Plan sees that its delta does not follow the chain's last link); it
// was reported saved already.
func (l *LazySaves) Asked(now time.Duration) (ck *core.Checkpoint, hs core.HardState, ok bool) {
	if !l.On {
		return nil, hs, false
	}
	wasIdle := l.idle(now)
	window := l.Window
	if window == 0 {
		window = DefaultEagerWindow
	}
	l.asked, l.eagerUntil = true, now+window
	if !wasIdle || l.newest == nil {
		return nil, hs, false
	}
	ck, hs = l.newest, l.newestHS
	l.newest = nil
	return ck, hs, true
}
