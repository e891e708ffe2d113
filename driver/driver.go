package driver

import (
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/plant"
	"github.com/vr-go/vr/message"
)

// Network carries what a replica sends.
type Network interface {
	// Send sends m to the replica whose id is to (core.Member.ID).
	Send(to int, m message.Message)
	// Reply sends r to the client it names.
	Reply(r *message.Reply)
}

// Storage makes the durable part of an Output durable: its log changes,
// its hard state and its checkpoint.
type Storage interface {
	// Persist starts writing out's durable part and calls done once it is
	// durable: before it returns (the node's write-ahead log, which waits
	// for its fsync) or later, from the loop that owns the driver (the
	// simulator's disks). Messages that depend on the write wait for done.
	// done is called once; the driver reuses it for a later write once
	// it was called. A non-nil error means the write failed, and done is
	// never called: the replica must stop. out is the driver's: Persist
	// must not write into it nor keep it after it returns.
	Persist(out *core.Output, status core.Status, done func()) error
}

// Config configures a Driver.
type Config struct {
	Network Network
	Storage Storage // nil: diskless
	// EarlyPrepares lets Prepares leave before the write they belong to is
	// durable. They promise nothing, and the primary counts its own copy
	// only once Persisted says it is durable (core.Config.DurableAcks), so
	// its write overlaps its backups' writes.
	EarlyPrepares bool
	// EarlyReplies lets replies leave before the write of the Output
	// that carries them is durable. A reply answers only what the
	// replica executed, which was committed (on f+1 disks, the
	// primary's own copy counted only once Persisted said it was
	// durable), or refuses without changing anything; none depends on
	// the write in progress. Held, each waited one more fsync for
	// nothing (docs/benchmarks.md, "Replies do not wait for the next
	// write").
	EarlyReplies bool
	// Period is one tick of the replica's clock; ViewChangeTicks sizes the
	// largest burst of ticks after a pause.
	Period          time.Duration
	ViewChangeTicks int
	// OnOutput, if set, sees every Output before anything of it is sent
	// (the node logs checkpoint installs, the simulator checks). out is
	// the driver's: OnOutput must not write into it nor keep it.
	OnOutput func(out *core.Output)
	// Checkpoints saves the replica's checkpoints and serves them to
	// peers (nil: none are saved, and the log is never truncated).
	Checkpoints Checkpoints
	// Installs stores fetched checkpoint chunks and installs fetched
	// checkpoints off the loop (nil: in memory, on the loop).
	Installs Installs
	// ChunkSize is the size of the checkpoint chunks served (0:
	// core.DefaultCheckpointChunk); the replica's CheckpointChunk.
	ChunkSize int
	// RetainLogBytes bounds the committed entries the driver keeps beyond
	// the replica's log to answer peers' GetLog (retain.go; 0: none). Set
	// core.Config.FetchLog with it.
	RetainLogBytes int
	// MaxMessageBytes is the replica's core.Config.MaxMessageBytes (0:
	// core.DefaultMaxMessageBytes): a LogChunk the driver sends fits it.
	MaxMessageBytes int

	bugs plant.Driver
}

// Plant plants deliberate driver bugs (see package plant).
func (c *Config) Plant(b plant.Driver) { c.bugs = b }

// Driver owns one replica and runs its loop body.
type Driver struct {
	cfg     Config
	replica *core.Replica
	clock   Clock
	drainAt time.Duration // the clock when the current drain began
	// timersDue is set when the clock advanced since the timers last
	// fired: Flush fires them, after the drain's inputs were stepped.
	timersDue bool
	failed    error
	free      []*pendingWrite // writes durable, to reuse
	// outs holds the Output of each Flush under way, by depth (a write
	// durable at once flushes again from within): handed to OnOutput and
	// the storage by pointer, it is copied once, not at every call.
	outs     []*core.Output
	depth    int         // Flushes under way
	retained retainedLog // committed entries beyond the replica's log
}

// New returns a driver for r, whose clock starts now (elapsed 0).
func New(r *core.Replica, cfg Config) *Driver {
	return &Driver{cfg: cfg, replica: r, clock: NewClock(cfg.Period, cfg.ViewChangeTicks),
		retained: retainedLog{limit: cfg.RetainLogBytes}}
}

// Replica returns the replica the driver owns.
func (d *Driver) Replica() *core.Replica { return d.replica }

// Failed returns the error of a failed write: the replica must stop, and
// nothing that depended on the write was sent.
func (d *Driver) Failed() error { return d.failed }

// CatchUp gives the replica every tick due when elapsed time has passed on
// its clock and fires the timers due. Call it only when no input is
// queued (a drain fires the timers after its inputs: see Flush).
func (d *Driver) CatchUp(elapsed time.Duration) {
	d.advance(elapsed)
	d.fireTimers()
}

// advance moves the replica's clock to elapsed without firing its timers.
func (d *Driver) advance(elapsed time.Duration) {
	if n := d.clock.Due(elapsed); n > 0 {
		d.replica.Advance(uint64(n))
		d.timersDue = true
	}
}

// fireTimers fires the replica's timers if its clock advanced since they
// last fired.
func (d *Driver) fireTimers() {
	if d.timersDue {
		d.timersDue = false
		d.replica.FireTimers()
	}
}

// Step handles one input. The clock catches up first, so that the input
// sees the time it is handled at (a backup's lease promise runs from
// then); the timers that came due wait until Flush, after every input
// queued with this one: a backup whose loop stalled (a GC pause, a
// checkpoint, a slow write) reads the Prepares and Commits its primary
// sent meanwhile before its view-change timeout is checked, instead of
// starting a view change against a healthy primary.
func (d *Driver) Step(elapsed time.Duration, m message.Message) {
	if d.cfg.bugs.TimersBeforeInbox {
		d.CatchUp(elapsed) // planted: the timers fire before the input
	} else {
		d.advance(elapsed)
	}
	if g, ok := m.(*message.GetCheckpoint); ok && g.Epoch == d.replica.Epoch() {
		d.serve(g)
		return
	}
	if g, ok := m.(*message.GetLog); ok && g.Epoch == d.replica.Epoch() {
		d.serveLog(g)
		return
	}
	// A GetCheckpoint of another epoch goes to the replica, which answers
	// an older one with StartEpoch: a checkpoint of this epoch installed in
	// an older one would skip the RECONFIGURATION between them.
	d.replica.Step(m)
}

// PeerLost passes on the transport's hint that the connection with
// replica i ended (core.Replica.PeerLost). It produces nothing at once:
// the timers, when they next fire, start a view change if the replica
// still has not heard from a primary it lost.
func (d *Driver) PeerLost(i int) { d.replica.PeerLost(i) }

// Drain handles inputs while next yields them, at most limit, each after
// the clock caught up with now(): a step that took long (a checkpoint, a
// GC pause) must not leave later inputs with a stale clock (review finding
// C). Then it flushes, so one Output carries what the whole batch
// produced, and the timers due fire only after the batch was stepped.
// With no input queued it is CatchUp, then Flush.
// It is Begin, Next for each input, then Flush; the simulator calls those
// itself, so that a drain can span a slow step while the world moves on.
func (d *Driver) Drain(now func() time.Duration, next func() (message.Message, bool), limit int) {
	d.Begin(now())
	for range limit {
		m, ok := next()
		if !ok {
			break
		}
		d.Next(now(), m)
	}
	d.Flush()
}

// Begin starts a drain at elapsed: the clock catches up, and the timers
// due wait for Flush.
func (d *Driver) Begin(elapsed time.Duration) {
	d.drainAt = elapsed
	if d.cfg.bugs.TimersBeforeInbox {
		d.CatchUp(elapsed)
		return
	}
	d.advance(elapsed)
}

// Next handles one input of the drain at elapsed.
func (d *Driver) Next(elapsed time.Duration, m message.Message) {
	if d.cfg.bugs.ClockOncePerDrain {
		elapsed = d.drainAt
	}
	d.Step(elapsed, m)
}

// Flush fires the timers that came due while the inputs since the last
// Flush were stepped, then drains the replica's Output, makes its durable
// part durable and sends what it produced: Prepares at once when
// EarlyPrepares allows, replies at once when EarlyReplies does, the rest
// only once the write is durable. When the write makes the primary's own copy count, what that
// commits is flushed too.
func (d *Driver) Flush() {
	if d.failed != nil {
		return
	}
	d.fireTimers()
	out := d.output()
	// After out is sent or persisting: an install flushes again; then
	// out's slot is free.
	defer d.flushed(out)
	if d.cfg.OnOutput != nil {
		d.cfg.OnOutput(out)
	}
	d.retain(out)
	if d.cfg.Storage == nil {
		d.send(out.Messages)
		d.reply(out.Replies)
		d.save(out.Checkpoint, out.HardState)
		d.executeLate()
		return
	}
	w := d.newWrite()
	held, replies := out.Messages, out.Replies
	switch {
	case d.cfg.bugs.SendBeforeDurable:
		d.send(held)
		d.reply(replies)
		held, replies = nil, nil
	case d.cfg.EarlyPrepares:
		held = d.sendPrepares(held, w.buf[:0])
		w.buf = held
	}
	if d.cfg.EarlyReplies && replies != nil {
		d.reply(replies)
		replies = nil
	}
	d.persist(w, out, held, replies)
	if d.cfg.bugs.AckBeforeDurable && d.failed == nil && d.replica.Persisted(out.Seq) {
		d.Flush() // planted: its own copy counts before it is durable
	}
	d.executeLate()
}

// executeLate has a backup execute what its primary committed, now that
// the acknowledgement it owed is sent or persisting (core/lateexec.go),
// and flushes what that produced.
func (d *Driver) executeLate() {
	if d.failed == nil && d.replica.ExecuteCommitted() {
		d.Flush()
	}
}

// output drains the replica's Output into the slot of this Flush's depth.
func (d *Driver) output() *core.Output {
	if d.depth == len(d.outs) {
		d.outs = append(d.outs, new(core.Output))
	}
	out := d.outs[d.depth]
	d.depth++
	d.replica.OutputTo(out)
	return out
}

// flushed ends the Flush of out: a fetched checkpoint's install goes on
// (which may flush again), then out's slot drops what it refers to and is
// free for the next Flush at its depth. (Nothing writes into out between:
// its FetchChunks and Install are those the replica output.)
func (d *Driver) flushed(out *core.Output) {
	d.fetched(out.FetchChunks, out.Install)
	d.depth--
	if d.outs[d.depth] != out {
		panic("driver: Flushes ended out of order")
	}
	*out = core.Output{}
}

// persist hands out to the storage; once durable, the held messages and
// replies leave and the replica learns what is durable (see
// pendingWrite).
func (d *Driver) persist(w *pendingWrite, out *core.Output, held []core.Envelope, replies []*message.Reply) {
	w.inFlight, w.seq, w.ck, w.held, w.replies = true, out.Seq, out.Checkpoint, held, replies
	if out.Checkpoint != nil {
		w.hs = out.HardState // for save, with the checkpoint only
	}
	status := d.replica.Status()
	if d.replica.LostState() {
		status = core.StatusRecovering // a joiner that will recover: nothing is durable yet
	}
	if err := d.cfg.Storage.Persist(out, status, w.done); err != nil {
		d.failed = err
	}
}

// send sends msgs.
func (d *Driver) send(msgs []core.Envelope) {
	for _, env := range msgs {
		d.cfg.Network.Send(env.To, env.Msg)
	}
}

// sendPrepares sends the Prepares of msgs and returns the others,
// appended to rest.
func (d *Driver) sendPrepares(msgs, rest []core.Envelope) []core.Envelope {
	for _, env := range msgs {
		if _, ok := env.Msg.(*message.Prepare); !ok {
			rest = append(rest, env)
			continue
		}
		d.cfg.Network.Send(env.To, env.Msg)
	}
	return rest
}

func (d *Driver) reply(replies []*message.Reply) {
	for _, r := range replies {
		d.cfg.Network.Reply(r)
	}
}
