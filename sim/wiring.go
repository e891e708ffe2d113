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
		Network: simNetwork{r, rep.idx}, Period: time.Duration(rep.period) * time.Microsecond,
		ViewChangeTicks: simViewChangeTicks,
		OnOutput:        func(out core.Output) { r.checkReplica(rep, out.Applied) },
	}
	if rep.disk != nil {
		cfg.Storage = simStorage{r, rep}
		cfg.EarlyPrepares = true
	}
	cfg.Plant(plant.Driver{SendBeforeDurable: r.opts.SendBeforeDurable, ClockOncePerDrain: r.opts.ClockOncePerDrain})
	return cfg
}

// elapsed is the time on rep's clock since its incarnation started. The
// clock's rate is the replica's tick period against the base tick.
func (r *run) elapsed(rep *replica) time.Duration {
	return time.Duration(r.now-rep.bootAt) * time.Microsecond
}

// simNetwork sends a replica's messages over the simulated network.
type simNetwork struct {
	r    *run
	from int
}

func (w simNetwork) Send(to int, m message.Message) { w.r.sendFrom(w.from, to, m) }

func (w simNetwork) Reply(rp *message.Reply) {
	r := w.r
	if rp.ClientID == 0 || rp.ClientID > uint64(len(r.clients)) {
		r.violate(KindProtocol, "replica %d replied to unknown client %d", w.from, rp.ClientID)
		return
	}
	r.sendFrom(w.from, r.n+int(rp.ClientID-1), rp)
}

// sendFrom sends m from replica from, after the slow steps of the drain
// that produced it.
func (r *run) sendFrom(from, to int, m message.Message) {
	rep := r.replicas[from]
	if rep.sendAt <= r.now {
		r.send(from, to, m)
		return
	}
	r.schedule(rep.sendAt, event{kind: evSendLater, node: to, from: from, msg: m})
}
