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
