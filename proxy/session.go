package proxy

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// Proxy is the VR proxy of one client. It is not safe for concurrent use.
type Proxy struct {
	cfg     Config
	epoch   uint64 // the epoch of the configuration below
	members []int  // the ids of the configuration's members, in order
	full    []int  // the members that may be primary, in order
	stale   bool   // a reply came from a later epoch (ConfigStale)
	// seal, if set, turns the payload of the next KindReconfigure request
	// into what is sent, knowing its request number (SubmitAdmin).
	seal func(requestNum uint64, payload []byte) []byte

	view       uint64 // the view believed current; primary = full[view mod len(full)]
	requestNum uint64 // the last request number used (never reused)
	registered bool   // a session is open in the client table
	session    uint64 // its identity, from the Register's reply

	inflight *message.Request    // the request awaiting a reply, or nil
	payload  []byte              // the app op waiting for registration
	kind     message.RequestKind // its kind
	waiting  bool                // payload is pending behind a register
	target   int                 // the replica inflight is aimed at; -1: the primary
	ticks    int                 // ticks since inflight was last sent
	retries  int                 // unanswered retries of inflight

	out Output
}

// New returns a proxy for cfg. Zero RetryTicks and BroadcastAfter take their
// defaults.
func New(cfg Config) (*Proxy, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Proxy{cfg: cfg}
	for i := range cfg.ReplicaCount {
		p.members = append(p.members, i)
		if !slices.Contains(cfg.Witnesses, i) {
			p.full = append(p.full, i)
		}
	}
	return p, nil
}

// SetConfig tells the proxy the configuration of epoch: its members (by
// id, with their roles; witnesses are never primary) and a view of it. A
// configuration older than the proxy's is ignored; one of the proxy's
// epoch or later replaces it (views only go up within an epoch; a new
// epoch starts at its own view). It clears ConfigStale when epoch is the
// latest the proxy heard of.
func (p *Proxy) SetConfig(epoch, view uint64, members []message.Member) error {
	var ids, full []int
	for _, m := range members {
		ids = append(ids, int(m.ID))
		if m.Role != roleWitness {
			full = append(full, int(m.ID))
		}
	}
	switch {
	case len(full) == 0:
		return fmt.Errorf("%w: a configuration of %d members without a full replica", ErrBadConfig, len(members))
	case epoch < p.epoch:
		return nil
	case epoch > p.epoch:
		p.view = view
	default:
		p.view = max(p.view, view)
	}
	p.epoch, p.members, p.full, p.stale = epoch, ids, full, false
	return nil
}

// roleWitness is core.RoleWitness's value on the wire.
const roleWitness = 2

// Epoch returns the epoch of the proxy's configuration.
func (p *Proxy) Epoch() uint64 { return p.epoch }

// Members returns the ids of the proxy's configuration, in order.
func (p *Proxy) Members() []int { return p.members }

// ConfigStale reports that a reply came from an epoch later than the
// proxy's configuration: the caller should learn the new one (SetConfig).
func (p *Proxy) ConfigStale() bool { return p.stale }

// ClientID returns the proxy's client id.
func (p *Proxy) ClientID() uint64 { return p.cfg.ClientID }

// View returns the view the proxy believes is current.
func (p *Proxy) View() uint64 { return p.view }

// Primary returns the replica the proxy believes is the primary.
func (p *Proxy) Primary() int { return p.full[p.view%uint64(len(p.full))] }

// Busy reports whether an operation is in flight.
func (p *Proxy) Busy() bool { return p.inflight != nil }

// Registered reports whether the proxy holds an open session.
func (p *Proxy) Registered() bool { return p.registered }

// Session returns the identity of the proxy's session (the op-number of
// the Register that opened it), 0 if it has none.
func (p *Proxy) Session() uint64 {
	if !p.registered {
		return 0
	}
	return p.session
}

// Submit starts one application operation. It returns ErrBusy if one is in
// flight. Without a session the proxy first registers (KindRegister) and
// sends the operation once the registration is answered.
func (p *Proxy) Submit(payload []byte) error { return p.submit(message.KindApp, payload) }

// SubmitRead starts a read-only operation that must be linearizable
// (KindRead): the primary answers it under its read lease, or puts it
// through the log. Like Submit, it registers first if needed.
func (p *Proxy) SubmitRead(payload []byte) error { return p.submit(message.KindRead, payload) }

// SubmitStaleRead starts a read-only operation that replica to answers from
// its own state, which may be stale (KindStaleRead). It needs no session.
// Unanswered, it is retried at to, then sent to every replica.
func (p *Proxy) SubmitStaleRead(payload []byte, to int) error {
	if p.Busy() {
		return ErrBusy
	}
	if !slices.Contains(p.members, to) {
		return fmt.Errorf("%w: replica %d is not a member", ErrBadConfig, to)
	}
	p.startAt(message.KindStaleRead, append([]byte(nil), payload...), to)
	return nil
}

// SubmitAdmin starts the administrator's RECONFIGURATION (KindReconfigure)
// with payload; seal turns it into the bytes sent once the request has its
// number (the admin credential's MAC covers it). Like Submit, it
// registers first if needed.
func (p *Proxy) SubmitAdmin(payload []byte, seal func(requestNum uint64, payload []byte) []byte) error {
	if p.Busy() {
		return ErrBusy
	}
	p.seal = seal
	return p.submit(message.KindReconfigure, payload)
}

func (p *Proxy) submit(kind message.RequestKind, payload []byte) error {
	if p.Busy() {
		return ErrBusy
	}
	if !p.registered {
		p.payload, p.kind = append([]byte(nil), payload...), kind
		p.waiting = true
		p.start(message.KindRegister, nil)
		return nil
	}
	p.start(kind, append([]byte(nil), payload...))
	return nil
}

// start sends a new request with the next request number to the primary.
func (p *Proxy) start(kind message.RequestKind, payload []byte) {
	p.startAt(kind, payload, -1)
}

// startAt sends a new request to replica to, or to the primary if to < 0.
func (p *Proxy) startAt(kind message.RequestKind, payload []byte, to int) {
	p.requestNum++
	if kind == message.KindReconfigure && p.seal != nil {
		payload, p.seal = p.seal(p.requestNum, payload), nil
	}
	p.inflight = &message.Request{
		ClientID:   p.cfg.ClientID,
		RequestNum: p.requestNum,
		Kind:       kind,
		Payload:    payload,
	}
	if kind != message.KindRegister && kind != message.KindStaleRead {
		p.inflight.Session = p.session
	}
	p.ticks, p.retries, p.target = 0, 0, to
	p.send(p.destination())
}

// destination is where the in-flight request goes before it is broadcast:
// the replica it was aimed at, or the believed primary.
func (p *Proxy) destination() int {
	if p.target >= 0 {
		return p.target
	}
	return p.Primary()
}

// send queues a copy of the in-flight request for replica to, stamped with
// the current view.
func (p *Proxy) send(to int) {
	req := *p.inflight
	req.View = p.view
	p.out.Sends = append(p.out.Sends, Send{To: to, Req: &req})
}

// Tick advances logical time. An unanswered request is re-sent, with the
// same request number, every RetryTicks ticks: to the believed primary for
// the first BroadcastAfter-1 retries, then to every replica.
func (p *Proxy) Tick() {
	if p.inflight == nil {
		return
	}
	p.ticks++
	if p.ticks < p.cfg.RetryTicks {
		return
	}
	p.ticks = 0
	p.retries++
	if p.retries < p.cfg.BroadcastAfter {
		p.send(p.destination())
		return
	}
	for _, id := range p.members {
		p.send(id)
	}
}

// Output drains everything produced since the last call.
func (p *Proxy) Output() Output {
	out := p.out
	p.out = Output{}
	return out
}

// LearnView tells the proxy of a view learned elsewhere (for example by
// another session of the same client library). Views only go up; the next
// send goes to that view's primary.
func (p *Proxy) LearnView(v uint64) {
	if v > p.view {
		p.view = v
	}
}
