package sim

import "fmt"

// setupFaults schedules the first network epoch and the first crash.
func (r *run) setupFaults() {
	if r.quietAt <= 0 {
		return
	}
	if r.opts.Faults.Episode != "" {
		r.schedule(0, event{kind: evEpisode})
		return
	}
	r.schedule(0, event{kind: evEpoch})
	if r.opts.Faults.Crashes {
		r.schedule(r.crashGap(), event{kind: evCrash})
	}
	if gap := r.opts.Faults.MeanClusterCrashGap; gap > 0 {
		r.schedule(max(1, int64(r.rng.ExpFloat64()*float64(us(gap)))), event{kind: evClusterCrash})
	}
}

// newEpoch draws the network fault state for the next epoch.
func (r *run) newEpoch() {
	if r.quiet {
		return
	}
	fc := &r.opts.Faults
	r.mon.update(r)
	r.net.st = r.drawState()
	r.releaseHeld()
	r.changeDrift()
	r.mon.update(r)
	r.res.Epochs++
	r.logf("epoch: %s", r.net.st.desc)
	r.schedule(r.now+r.between(us(fc.EpochMin), us(fc.EpochMax)), event{kind: evEpoch})
}

// drawState returns a random fault state from the profile.
func (r *run) drawState() netState {
	fc := &r.opts.Faults
	st := r.net.clean()
	if r.chance(fc.CleanEpochs) {
		return st
	}
	st.loss = r.rng.Float64() * fc.MaxLoss
	st.dup = r.rng.Float64() * fc.MaxDuplicate
	st.reorder = fc.Reorder
	part := "no partition"
	if fc.Partitions {
		part = r.drawPartition(&st)
		if st.buffer = r.chance(fc.BufferCut); st.buffer {
			part += " (cut links buffer)"
		}
	}
	st.desc = fmt.Sprintf("loss %.2f dup %.2f reorder %.2f, %s;%s", st.loss, st.dup, st.reorder, part, r.describeCut(st))
	return st
}

// drawPartition cuts links in st and describes the partition.
func (r *run) drawPartition(st *netState) string {
	fc := &r.opts.Faults
	if fc.IsolateOnly {
		x := r.pickTarget()
		if fc.TargetPrimary == 0 {
			x = r.pickBackup()
		}
		r.isolate(*st, x, fc.ClientStay)
		return fmt.Sprintf("isolate %d", x)
	}
	kinds := []int{0, 1, 2}
	if fc.OneWay {
		kinds = append(kinds, 3)
	}
	if fc.MTU {
		kinds = append(kinds, 4)
	}
	if fc.RandomLinks {
		kinds = append(kinds, 5)
	}
	switch kinds[r.rng.IntN(len(kinds))] {
	case 1:
		x := r.pickTarget()
		r.isolate(*st, x, fc.ClientStay)
		return fmt.Sprintf("isolate %d", x)
	case 2:
		r.halves(*st)
		return "halves"
	case 3:
		return r.oneWay(*st)
	case 4:
		return r.mtu(st)
	case 5:
		r.randomLinks(*st)
		return "random links"
	}
	return "no partition"
}

// randomLinks cuts each directed link between replicas with probability
// 0.35: overlapping one-way faults no other kind produces (a replica that
// hears a peer it cannot reach while both are cut from the primary).
func (r *run) randomLinks(st netState) {
	for a := 0; a < r.n; a++ {
		for b := 0; b < r.n; b++ {
			if a != b && r.chance(0.35) {
				r.cutLink(st, a, b)
			}
		}
	}
}

// cutLink makes from unable to reach to.
func (r *run) cutLink(st netState, from, to int) { st.cut[from*r.net.nodes+to] = true }

// isolate cuts replica x off from every other node both ways; each client
// stays on x's side with probability stay.
func (r *run) isolate(st netState, x int, stay float64) {
	for y := 0; y < r.n; y++ {
		if y != x {
			r.cutLink(st, x, y)
			r.cutLink(st, y, x)
		}
	}
	for c := r.n; c < r.net.nodes; c++ {
		if !r.chance(stay) {
			r.cutLink(st, x, c)
			r.cutLink(st, c, x)
			continue
		}
		for y := 0; y < r.n; y++ {
			if y != x {
				r.cutLink(st, y, c)
				r.cutLink(st, c, y)
			}
		}
	}
}

// halves splits every node into two random sides.
func (r *run) halves(st netState) {
	side := make([]bool, r.net.nodes)
	for i := range side {
		side[i] = r.rng.IntN(2) == 0
	}
	for a := range side {
		for b := range side {
			if side[a] != side[b] {
				r.cutLink(st, a, b)
			}
		}
	}
}

// oneWay cuts links in one direction only.
func (r *run) oneWay(st netState) string {
	x := r.pickTarget()
	switch r.rng.IntN(3) {
	case 0:
		for y := 0; y < r.net.nodes; y++ {
			if y != x {
				r.cutLink(st, y, x)
			}
		}
		return fmt.Sprintf("%d cannot receive", x)
	case 1:
		for y := 0; y < r.net.nodes; y++ {
			if y != x {
				r.cutLink(st, x, y)
			}
		}
		return fmt.Sprintf("%d cannot send", x)
	}
	y := (x + 1 + r.rng.IntN(r.n-1)) % r.n
	r.cutLink(st, x, y)
	return fmt.Sprintf("%d cannot reach %d", x, y)
}

// currentPrimary returns the primary of the highest view any up replica is
// normal in, or -1.
func (r *run) currentPrimary() int {
	best, view := -1, uint64(0)
	for _, rep := range r.replicas {
		if rep.up && rep.status == statusNormal && (best < 0 || rep.view > view) {
			best, view = r.primaryOf(rep.view), rep.view
		}
	}
	return best
}

// pickTarget picks the current primary with probability TargetPrimary,
// otherwise a random replica.
func (r *run) pickTarget() int {
	if p := r.currentPrimary(); p >= 0 && r.chance(r.opts.Faults.TargetPrimary) {
		return p
	}
	return r.rng.IntN(r.n)
}

// pickBackup picks a random replica other than the current primary.
func (r *run) pickBackup() int {
	p := r.currentPrimary()
	if p < 0 || r.n == 1 {
		return r.rng.IntN(r.n)
	}
	return (p + 1 + r.rng.IntN(r.n-1)) % r.n
}

// mtu makes some replica links lose large messages: every link from or to
// one replica, or each link with probability 1/3.
func (r *run) mtu(st *netState) string {
	st.mtu = make([]bool, len(st.cut))
	x := r.pickTarget()
	mode := r.rng.IntN(3)
	for a := 0; a < r.n; a++ {
		for b := 0; b < r.n; b++ {
			if a != b && ((mode == 0 && a == x) || (mode == 1 && b == x) || (mode == 2 && r.chance(1.0/3))) {
				st.mtu[a*r.net.nodes+b] = true
			}
		}
	}
	return [...]string{fmt.Sprintf("%d sends no large messages", x),
		fmt.Sprintf("%d receives no large messages", x), "random links lose large messages"}[mode]
}

// changeDrift gives each replica, with probability Faults.DriftChanges, a
// new clock rate within the run's skew: drift that changes during a run,
// still within the bound the replicas are told.
func (r *run) changeDrift() {
	p := r.opts.Faults.DriftChanges
	for _, rep := range r.replicas {
		if r.chance(p) {
			r.setPeriod(rep, r.drawPeriod())
		}
	}
}

// drawPeriod draws a tick period within the run's skew.
func (r *run) drawPeriod() int64 {
	base, skew := float64(us(r.opts.Tick)), r.opts.Faults.Skew
	return max(1, int64(base*(1+skew*(2*r.rng.Float64()-1))))
}
