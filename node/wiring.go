package node

import (
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/message"
)

// driverConfig wires the real network, disk and clock into the driver.
func (n *Node) driverConfig() driver.Config {
	cfg := driver.Config{
		Network: nodeNetwork{n}, Period: n.cfg.Tick, ViewChangeTicks: n.cfg.ViewChangeTicks,
		RetainLogBytes: max(n.cfg.RetainLogBytes, 0), MaxMessageBytes: n.cfg.MaxMessageBytes,
		OnOutput: func(out *core.Output) {
			n.logRestores(*out)
			n.metrics.output(*out)
			n.retired = n.retired || out.Retire
		},
	}
	if n.ckpts != nil { // a witness has none
		cfg.Checkpoints = n.ckpts
		cfg.Installs = n.installs
	}
	if n.storage != nil {
		cfg.Storage = timedStorage{n.storage, &n.stall}
		// In sync mode Prepares leave before the write (the core counts
		// the primary's own copy only once Persisted says it is durable).
		cfg.EarlyPrepares = n.storage.Mode() == SyncAlways
		cfg.EarlyReplies = true
	}
	return cfg
}

// nodeNetwork sends through the transport and logs replica traffic.
type nodeNetwork struct{ n *Node }

func (w nodeNetwork) Send(to int, m message.Message) {
	logMessage(w.n.log, "send", to, m)
	w.n.transport.Send(to, m)
}

func (w nodeNetwork) Reply(r *message.Reply) {
	if conn := w.n.clients[r.ClientID]; conn != nil {
		conn.Send(r)
	}
	w.n.metrics.replied(r)
}
