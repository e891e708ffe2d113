package sim

import "github.com/vr-go/vr/message"

// laneQuantum is how many bytes one lane of a link sends before the other
// lane, if it has something to send, takes its turn: the two lanes share
// the link's bandwidth in byte round-robin, as two TCP connections on one
// path share it roughly fairly.
const laneQuantum = 64 << 10

// laneMsg is a message waiting in, or being sent by, one lane of a link.
type laneMsg struct {
	msg   message.Message
	left  int64 // bytes not yet sent
	delay int64 // travel time once its last byte is sent
}

// linkLanes is one link between replicas when links have a bandwidth
// (FaultConfig.Bandwidth): a FIFO per lane (message.LaneOf) and the turn
// between them. While the link sends, an evTransmit event is scheduled
// for the end of the current quantum.
type linkLanes struct {
	lanes   [message.NumLanes][]laneMsg
	busy    bool         // a quantum is being sent
	sending message.Lane // the lane whose quantum is being sent
}

// pushLane queues m on its lane of the link from→to, to arrive delay after
// its last byte is sent, and starts the link if it was idle.
func (r *run) pushLane(from, to int, m message.Message, delay int64) {
	l := &r.net.links[from*r.net.nodes+to]
	lane := message.LaneOf(m)
	l.lanes[lane] = append(l.lanes[lane], laneMsg{msg: m, left: int64(message.Size(m)), delay: delay})
	if !l.busy {
		r.sendQuantum(from, to, lane)
	}
}

// sendQuantum starts sending the next quantum of lane's first message on
// the link from→to.
func (r *run) sendQuantum(from, to int, lane message.Lane) {
	l := &r.net.links[from*r.net.nodes+to]
	n := min(l.lanes[lane][0].left, laneQuantum)
	l.lanes[lane][0].left -= n
	l.busy, l.sending = true, lane
	r.schedule(r.now+n*1_000_000/int64(r.opts.Faults.Bandwidth), event{kind: evTransmit, node: to, from: from})
}

// transmitted ends the quantum the link from→to was sending: a message
// whose last byte left is on its way, and the other lane, if it has
// something to send, takes the next turn.
func (r *run) transmitted(from, to int) {
	l := &r.net.links[from*r.net.nodes+to]
	cur := l.sending
	if !l.busy || len(l.lanes[cur]) == 0 {
		panic("sim: a link ended a quantum it was not sending")
	}
	l.busy = false
	if head := l.lanes[cur][0]; head.left == 0 {
		l.lanes[cur][0] = laneMsg{}
		l.lanes[cur] = l.lanes[cur][1:]
		r.scheduleDelivery(from, to, head.msg, head.delay)
	}
	other := 1 - cur
	switch {
	case len(l.lanes[other]) > 0:
		r.sendQuantum(from, to, other)
	case len(l.lanes[cur]) > 0:
		r.sendQuantum(from, to, cur)
	}
}

// sendBuffer is how many bytes of one connection a dead process can still
// deliver: what its kernel had accepted, at most one TCP send buffer
// (4 MiB, the largest Linux grows one to by default: tcp_wmem). The
// transport's own queues (transport.Config.QueueSize) die with the
// process, and so must what a crashed replica's lanes had not yet handed
// to the kernel.
const sendBuffer = 4 << 20

// crashLinks drops, on every link from the replica x that just crashed,
// what a dead process could no longer send: on each lane (a connection of
// its own), the messages after the first sendBuffer bytes not yet sent.
// The message being sent stays whatever its size, so that its quantum ends
// as scheduled.
func (r *run) crashLinks(x int) {
	if r.opts.Faults.Bandwidth == 0 || r.opts.Bugs.SingleLane {
		return
	}
	for to := 0; to < r.n; to++ {
		l := &r.net.links[x*r.net.nodes+to]
		for lane := range l.lanes {
			keep := 0
			if l.busy && l.sending == message.Lane(lane) {
				keep = 1
			}
			l.lanes[lane] = r.keepBuffered(l.lanes[lane], keep)
		}
	}
}

// keepBuffered returns the first messages of q whose bytes not yet sent
// fit in sendBuffer, and at least its first keep ones; the rest are lost.
func (r *run) keepBuffered(q []laneMsg, keep int) []laneMsg {
	bytes := int64(0)
	n := 0
	for n < len(q) {
		bytes += q[n].left
		if bytes > sendBuffer && n >= keep {
			break
		}
		n++
	}
	for k := n; k < len(q); k++ {
		q[k] = laneMsg{}
		r.res.MessagesLostInCrash++
	}
	return q[:n]
}
