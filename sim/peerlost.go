package sim

// A replica's crash closes its connections (a killed process's sockets
// close at once, and the kernel tells the peers), unless its machine or
// the network went with it. Every other crash here is the first kind:
// each peer that the crashed replica could reach learns, a moment later,
// that its connection with it ended (core.Replica.PeerLost), as the real
// transport reports it (transport.Inbound.Lost). The choice is made by
// counting crashes, not drawn, so that no run's random draws move.

// peerLostDelay is how long a closed connection takes to reach a peer:
// a packet's trip on a quiet link.
const peerLostDelay = 200 // µs

// announceLost schedules the hints of replica x's crash, every other
// crash.
func (r *run) announceLost(x int) {
	if r.res.Crashes%2 == 1 {
		return
	}
	for j := 0; j < r.n; j++ {
		if j != x && r.replicas[j].up && !r.net.isCut(x, j) {
			r.schedule(r.now+peerLostDelay, event{kind: evPeerLost, node: j, from: x, inc: r.replicas[j].inc})
		}
	}
}

// peerLost hands a hint to its replica, if it is still the incarnation
// the connection belonged to.
func (r *run) peerLost(e event) {
	rep := r.replicas[e.node]
	if !rep.up || rep.inc != e.inc || rep.drv == nil {
		return
	}
	r.res.PeerLostHints++
	rep.drv.PeerLost(e.from)
}
