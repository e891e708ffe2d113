package sim

import (
	"strings"

	"github.com/vr-go/vr/message"
)

// Normal one-way message delay range, in simulated microseconds.
const (
	minDelay = 200
	maxDelay = 2000
)

// netState is the network's fault state during one epoch. Nodes are the
// replicas 0..n-1 followed by the clients.
type netState struct {
	loss    float64 // probability a message is lost
	dup     float64 // probability a message is delivered twice
	reorder float64 // probability a message takes a long delay
	mtu     []bool  // mtu[from*nodes+to]: from cannot send large messages to to
	cut     []bool  // cut[from*nodes+to]: from cannot reach to
	// buffer makes cut links hold messages instead of losing them, as a
	// TCP connection does while packets cannot get through: they arrive,
	// in order, once the link heals, perhaps long after their sender
	// crashed and a new incarnation of it recovered.
	buffer bool
	desc   string
}

// maxHeld bounds the messages one link buffers; later ones are lost.
const maxHeld = 512

// heldMsg is a message a cut link buffers.
type heldMsg struct {
	from, to int
	inc      uint32 // the sender's incarnation (replicas)
	msg      message.Message
}

// network holds the current fault state and the filter used by scenario
// tests.
type network struct {
	nodes int
	st    netState
	held  [][]heldMsg // per link, in send order
	// releasedAt is when a healed link last delivered what it held (-1:
	// never): old messages may disturb a healthy quorum for a while.
	releasedAt int64
	// drop, if set, silently loses the messages for which it returns true
	// (scenario tests script faults with it).
	drop func(from, to int, m message.Message) bool
	// links are, per link between replicas, its two lanes when links
	// have a bandwidth (FaultConfig.Bandwidth; lanes.go).
	links []linkLanes
	// busyUntil is, per link, when the link has sent what it was given,
	// in the single-lane model (plant.Bugs.SingleLane).
	busyUntil []int64
}

func (nw *network) init(nodes int) {
	nw.nodes = nodes
	nw.st = netState{cut: make([]bool, nodes*nodes), desc: "clean"}
	nw.held = make([][]heldMsg, nodes*nodes)
	nw.links = make([]linkLanes, nodes*nodes)
	nw.busyUntil = make([]int64, nodes*nodes)
	nw.releasedAt = -1 << 40
}

// hold buffers m on a cut link if the link buffers; it reports whether it
// did (otherwise the message is lost).
func (r *run) hold(from, to int, m message.Message) bool {
	link := from*r.net.nodes + to
	if !r.net.st.buffer || len(r.net.held[link]) >= maxHeld {
		return false
	}
	r.net.held[link] = append(r.net.held[link], heldMsg{from, to, r.incarnation(from), m})
	r.res.MessagesHeld++
	return true
}

// crashHeld drops what the cut links from the replica x, which just
// crashed, hold of its dying incarnation beyond one send buffer per link
// (sendBuffer, lanes.go): while a link is cut, a real sender's kernel
// buffer fills, the rest waits in the transport's queue, and that queue
// dies with the process.
func (r *run) crashHeld(x int) {
	inc := r.incarnation(x)
	for to := 0; to < r.net.nodes; to++ {
		link := x*r.net.nodes + to
		kept, bytes := r.net.held[link][:0], 0
		for _, h := range r.net.held[link] {
			if h.inc == inc {
				if bytes += message.Size(h.msg); bytes > sendBuffer {
					r.res.MessagesLostInCrash++
					continue
				}
			}
			kept = append(kept, h)
		}
		clear(r.net.held[link][len(kept):])
		r.net.held[link] = kept
	}
}

// incarnation returns the incarnation of node (0 for clients).
func (r *run) incarnation(node int) uint32 {
	if node < r.n {
		return r.replicas[node].inc
	}
	return 0
}

// releaseHeld delivers, in order, what links that are no longer cut held.
func (r *run) releaseHeld() {
	for link, msgs := range r.net.held {
		if len(msgs) == 0 || r.net.st.cut[link] {
			continue
		}
		// A dead incarnation's connection is not the new one: nothing
		// orders its bytes after the successor's, so they come at once,
		// in their own order, before or after.
		late := r.between(0, us(r.opts.Faults.MaxDelay)+us(r.opts.Faults.MaxLongDelay))
		for k, h := range msgs {
			delay := r.between(minDelay, maxDelay) + int64(k)
			if h.inc != r.incarnation(h.from) {
				delay = late + int64(k)
			}
			r.scheduleDelivery(h.from, h.to, h.msg, delay)
		}
		r.net.held[link] = nil
		r.net.releasedAt = r.now
	}
}

// isCut reports whether from cannot reach to now.
func (nw *network) isCut(from, to int) bool { return nw.st.cut[from*nw.nodes+to] }

// clean returns a fault-free state.
func (nw *network) clean() netState {
	return netState{cut: make([]bool, nw.nodes*nw.nodes), desc: "clean"}
}

// send puts m from node from on the wire to node to, applying the current
// loss, duplication and delay.
func (r *run) send(from, to int, m message.Message) {
	r.checkWitnessSend(from, m)
	r.checkStandbySend(from, m)
	r.checkEpochSend(from, m)
	r.checkFaultFree(from, to, m)
	r.res.MessagesSent++
	r.res.LargestMessage = max(r.res.LargestMessage, message.Size(m))
	if (r.net.isCut(from, to) && r.hold(from, to, m)) || r.holdEpisode(from, to, m) {
		return
	}
	if r.net.isCut(from, to) || (r.net.drop != nil && r.net.drop(from, to, m)) || r.chance(r.net.st.loss) || r.net.tooBig(from, to, m) {
		r.res.MessagesDropped++
		return
	}
	r.enqueue(from, to, m)
	if r.chance(r.net.st.dup) {
		r.res.MessagesDuplicated++
		r.enqueue(from, to, m)
	}
	r.lateCopy(from, to, m)
}

// lateCopy sends, with probability Faults.LateCopies during the fault
// phase, one more copy of a client's request that arrives up to
// MaxLongDelay late. Profiles without late copies draw nothing here.
func (r *run) lateCopy(from, to int, m message.Message) {
	fc := &r.opts.Faults // not a copy: the Faults are large, and this runs at every send
	if fc.LateCopies == 0 || r.quiet || from < r.n {
		return
	}
	if _, ok := m.(*message.Request); !ok || !r.chance(fc.LateCopies) {
		return
	}
	r.res.MessagesDuplicated++
	r.scheduleDelivery(from, to, m, r.between(maxDelay, us(fc.MaxLongDelay)))
}

// tooBig reports whether m is a large message (see message.Bulky) on a
// link that loses them.
func (nw *network) tooBig(from, to int, m message.Message) bool {
	if nw.st.mtu == nil || !nw.st.mtu[from*nw.nodes+to] {
		return false
	}
	return message.Bulky(m)
}

// enqueue schedules the delivery of one copy of m.
func (r *run) enqueue(from, to int, m message.Message) {
	delay := r.between(minDelay, maxDelay)
	fc := &r.opts.Faults
	if r.chance(r.net.st.reorder) {
		delay = r.between(maxDelay, us(fc.MaxDelay))
	}
	if !r.quiet && r.chance(fc.LongDelay) {
		delay = r.between(maxDelay, us(fc.MaxLongDelay))
	}
	switch {
	case r.opts.Faults.Bandwidth == 0 || from >= r.n || to >= r.n:
		r.scheduleDelivery(from, to, m, delay)
	case r.opts.Bugs.SingleLane:
		r.scheduleDelivery(from, to, m, delay+r.transmission(from, to, m))
	default:
		r.pushLane(from, to, m, delay)
	}
}

// transmission returns how long m waits for and occupies its link in the
// single-lane model (plant.Bugs.SingleLane): the time until the link sent
// what it was given before m, plus m's own size over the bandwidth.
func (r *run) transmission(from, to int, m message.Message) int64 {
	bw := int64(r.opts.Faults.Bandwidth)
	link := from*r.net.nodes + to
	start := max(r.net.busyUntil[link], r.now)
	r.net.busyUntil[link] = start + int64(message.Size(m))*1_000_000/bw
	return r.net.busyUntil[link] - r.now
}

// scheduleDelivery schedules the arrival of m at to after delay.
func (r *run) scheduleDelivery(from, to int, m message.Message, delay int64) {
	e := event{kind: evDeliver, node: to, from: from, msg: m}
	if to >= r.n {
		e.kind, e.node = evReply, to-r.n
	}
	r.schedule(r.now+delay, e)
}

// arrives reports whether a message from→to survives the partitions in
// force when it arrives; a message caught by one is dropped.
func (r *run) arrives(from, to int) bool {
	if r.net.isCut(from, to) {
		r.res.MessagesDropped++
		return false
	}
	return true
}

// arrivesOrHeld is arrives for a message between replicas: a link cut
// while m was under way buffers it if the link buffers.
func (r *run) arrivesOrHeld(from, to int, m message.Message) bool {
	if r.net.isCut(from, to) && r.hold(from, to, m) {
		return false
	}
	return r.arrives(from, to)
}

// copyMessage returns a shallow copy of m, so that no two receivers share a
// message value (as they would not on a real network). Slices are shared:
// the core never writes into a received message's slices.
func copyMessage(m message.Message) message.Message { return message.Copy(m) }

// describeCut renders the cut links between replicas, for the log.
func (r *run) describeCut(st netState) string {
	var b strings.Builder
	for from := 0; from < r.n; from++ {
		for to := 0; to < r.n; to++ {
			if from != to && st.cut[from*r.net.nodes+to] {
				b.WriteString(" ")
				b.WriteByte(byte('0' + from%10))
				b.WriteString("↛")
				b.WriteByte(byte('0' + to%10))
			}
		}
	}
	return b.String()
}
