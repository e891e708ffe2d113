package sim

import "github.com/vr-go/vr/core"

// monitor watches for disruption: a quorum that is healthy and has seen no
// fault for Options.StableWindow (a primary and at least f backups, up,
// normal in one view, with loss-free, uncut links between primary and
// backups) has no reason to leave its view. If one of its members does
// anyway, something outside it (typically a replica returning from
// isolation with a higher view) dragged it into a view change.
type monitor struct {
	n         int
	lastFault []int64 // lastFault[from*n+to]: last time the link was faulty
	armed     bool
	view      uint64
	members   []bool
}

func (m *monitor) init(n int) {
	m.n = n
	m.lastFault = make([]int64, n*n)
	m.members = make([]bool, n)
}

// update records which replica links are faulty now and recomputes the
// stable quorum. Faults change only at epochs, crashes, restarts and the
// heal, and update runs at each of those and at every replica tick.
func (m *monitor) update(r *run) {
	global := r.net.st.loss > 0 || r.net.st.mtu != nil || r.net.drop != nil
	for i := 0; i < m.n; i++ {
		row := m.lastFault[i*m.n : (i+1)*m.n]
		if global || !r.healthy(i) { // every link from i is faulty
			for j := range row {
				if j != i {
					row[j] = r.now
				}
			}
			continue
		}
		for j := range row {
			if j != i && (r.net.isCut(i, j) || !r.healthy(j)) {
				row[j] = r.now
			}
		}
	}
	m.armed = false
	clear(m.members)
	if r.adm.initial > 0 {
		return // epochs move views back to 0: no disruption monitor (reconfig.go)
	}
	p := m.stablePrimary(r)
	if p < 0 {
		return
	}
	count := 0
	for _, rep := range r.replicas {
		if m.settled(r, rep, r.replicas[p].view) && m.clean(r, p, rep.idx) {
			m.members[rep.idx] = true
			count++
		}
	}
	if count >= r.f+1 {
		m.armed, m.view = true, r.replicas[p].view
	} else {
		clear(m.members)
	}
}

// stablePrimary returns the settled primary of the highest view, or -1.
func (m *monitor) stablePrimary(r *run) int {
	best := -1
	for _, rep := range r.replicas {
		if m.settled(r, rep, rep.view) && r.primaryOf(rep.view) == rep.idx &&
			(best < 0 || rep.view > r.replicas[best].view) {
			best = rep.idx
		}
	}
	return best
}

// settled reports whether rep has been up and normal in view for the
// stable window.
func (m *monitor) settled(r *run, rep *replica, view uint64) bool {
	since := r.now - us(r.opts.StableWindow)
	return r.healthy(rep.idx) && rep.status == core.StatusNormal && rep.view == view &&
		rep.since <= since && rep.lastCrash <= since
}

// clean reports whether the links between a and b (both ways) have been
// fault-free for the stable window.
func (m *monitor) clean(r *run, a, b int) bool {
	if a == b {
		return true
	}
	since := r.now - us(r.opts.StableWindow)
	return m.lastFault[a*m.n+b] <= since && m.lastFault[b*m.n+a] <= since
}

// checkLeave reports a disruption if rep, a member of the stable quorum,
// is leaving its view.
func (m *monitor) checkLeave(r *run, rep *replica, info *core.Info) {
	if !m.armed || !m.members[rep.idx] || r.recoveredRecently() || r.releasedRecently() {
		return
	}
	if info.Status != core.StatusNormal || info.View != m.view {
		r.violate(KindDisruption,
			"replica %d left normal view %d (now %v in view %d) although it belonged to a quorum that had been healthy and fault-free for %v",
			rep.idx, m.view, info.Status, info.View, r.opts.StableWindow)
	}
}

// healthy reports whether replica i is up and not recovering.
func (r *run) healthy(i int) bool {
	rep := r.replicas[i]
	return rep.up && !rep.recovering
}

// recoveredRecently reports whether a replica restarted within the stable
// window or is still recovering. A recovery may legitimately move a
// healthy quorum to a later view: a recovering replica that learns of a
// view announced above the one it recovers into may have sent a
// DoViewChange for it before it crashed, and must not stay normal below it
// (see docs/protocol.md, "Recovery").
func (r *run) recoveredRecently() bool {
	since := r.now - us(r.opts.StableWindow)
	for _, rep := range r.replicas {
		if rep.recovering || rep.lastCrash > since {
			return true
		}
	}
	return false
}

// releasedRecently reports whether a healed link delivered messages it
// buffered within the stable window: the fault those messages carry (a
// StartViewChange of a replica that has since gone back to its view, which
// enables another's DoViewChange) lands after the link healed.
func (r *run) releasedRecently() bool {
	return r.now-r.net.releasedAt < us(r.opts.StableWindow)
}

// markSlow records that replica i was stalled in a slow step until until:
// its links count as faulty up to then (a stalled replica is a fault the
// others may rightly react to).
func (m *monitor) markSlow(i int, until int64) {
	m.armed = false // until update sees the fault
	for j := 0; j < m.n; j++ {
		m.lastFault[i*m.n+j] = max(m.lastFault[i*m.n+j], until)
		m.lastFault[j*m.n+i] = max(m.lastFault[j*m.n+i], until)
	}
}
