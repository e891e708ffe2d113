package sim

import (
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// driverConfig wires the simulated network, disk and clock of rep into the
// real driver.
func (r *run) driverConfig(rep *replica) driver.Config {
	cfg := driver.Config{
		Network: simNetwork{r, rep.idx}, Period: r.opts.Tick,
		ViewChangeTicks: simViewChangeTicks,
		OnOutput:        func(out *core.Output) { r.checkOutput(rep, out) },
		Checkpoints:     simCheckpoints{r, rep}, ChunkSize: r.ckptChunk,
		Installs:       simInstalls{r, rep},
		RetainLogBytes: r.opts.Faults.RetainLogBytes,
	}
	if r.opts.Faults.LargeValues != 0 {
		cfg.MaxMessageBytes = r.opts.Faults.MaxMessageBytes // boundBytes
	}
	if d := rep.disk; d != nil {
		st := &simStorage{r: r, rep: rep}
		cfg.Storage = st
		cfg.EarlyPrepares = true
		cfg.EarlyReplies = true
		cfg.OnOutput = func(out *core.Output) {
			d.checkpointing = out.Checkpoint != nil
			st.logEnd, st.logEndSet = r.checkOutput(rep, out)
		}
	}
	cfg.Plant(plant.Driver{SendBeforeDurable: r.opts.SendBeforeDurable, ClockOncePerDrain: r.opts.ClockOncePerDrain,
		AckBeforeDurable: r.opts.AckBeforeDurable, TimersBeforeInbox: r.opts.TimersBeforeInbox,
		ServeOnlyAsked: r.opts.Bugs.FetchPinned, ServeNoContinuation: r.opts.Bugs.FetchRestarts,
		DeltaFromOtherChain: r.opts.DeltaFromOtherChain,
		RetainAppended:      r.opts.RetainAppended, NeverAsked: r.opts.NeverAsked})
	return cfg
}

// checkOutput runs the per-step checks on what rep produced. It returns
// the end of rep's log, if the checks read it (ok), for the write of out
// that follows (simStorage.Persist).
func (r *run) checkOutput(rep *replica, out *core.Output) (logEnd uint64, ok bool) {
	if out.Checkpoint != nil && r.isWitness(rep.idx) && r.viol == nil {
		r.violate(KindWitness, "witness %d took a checkpoint at op %d", rep.idx, out.Checkpoint.Op)
		return 0, false
	}
	if r.checkInstalling(rep, out) {
		return 0, false
	}
	logEnd, ok = r.checkReplica(rep, out.Applied)
	if out.Retire { // checkRetire's condition, without copying out
		r.checkRetire(rep, *out)
	}
	return logEnd, ok
}

// elapsed is the time on rep's clock since its incarnation started: its
// clock runs at the base tick over its period, a rate that may change.
func (r *run) elapsed(rep *replica) time.Duration {
	return time.Duration(r.localAt(rep, r.now)) * time.Microsecond
}

// localAt is rep's clock, in microseconds since its start, at time t.
func (r *run) localAt(rep *replica, t int64) int64 {
	return rep.localBase + (t-rep.rateSince)*us(r.opts.Tick)/rep.period
}

// setPeriod changes rep's clock rate from now on.
func (r *run) setPeriod(rep *replica, period int64) {
	if rep.up {
		rep.localBase, rep.rateSince = r.localAt(rep, r.now), r.now
	}
	rep.period = period
}

// simNetwork sends a replica's messages over the simulated network.
type simNetwork struct {
	r    *run
	from int
}

func (w simNetwork) Send(to int, m message.Message) { w.r.send(w.from, to, m) }

func (w simNetwork) Reply(rp *message.Reply) {
	r := w.r
	if rp.ClientID == 0 || rp.ClientID > uint64(len(r.clients)+r.adm.clients()) {
		r.violate(KindProtocol, "replica %d replied to unknown client %d", w.from, rp.ClientID)
		return
	}
	r.send(w.from, r.n+int(rp.ClientID-1), rp)
}
