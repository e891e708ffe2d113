package sim

import "github.com/vr-go/vr/message"

// episode is the state of the scripted "stale-learner" episode, which
// aims at the TruncateOnNewView hazard on 3 replicas. With p the primary
// of the current view v, y the primary of v+1 and x the primary of v+2:
//
//	phase 1: x gets no log data (Prepare, GetState, NewState): it stays a
//	         normal backup of v, hearing Commits, with a stale log.
//	phase 2: y stops hearing p's heartbeats and x's messages no longer
//	         reach p, so p and y change to view v+1 without x seeing it;
//	         y→p carries only StartViewChange and DoViewChange, so p never
//	         gets the StartView. x then hears a Commit of v+1 while its
//	         state transfer is still blocked.
//	phase 3: y crashes and the network heals: p and x change to view v+2.
//	         y restarts later; a quiet spell follows, then it repeats.
//
// Every phase lasts a random time, so each seed plays it differently.
type episode struct {
	p, y, x int
	dvc     staleDVC       // the "stale-dvc" episode
	stall   stalledBackup  // the "stalled-backup" episode
	lost    lostCheckpoint // the "lost-checkpoint" episode
	lag     laggingBackups // the "lagging-backups" episode
	laglog  laggingLog     // the "lagging-log" episode
}

// episodeStep enters phase (0 = quiet spell) and schedules the next one.
func (r *run) episodeStep(phase int) {
	if r.quiet {
		return
	}
	switch r.opts.Faults.Episode {
	case "stale-dvc":
		r.staleDVCStep(phase)
		return
	case "stalled-backup":
		r.stalledBackupStep(phase)
		return
	case "lost-checkpoint":
		r.lostCheckpointStep(phase)
		return
	case "lagging-backups":
		r.laggingBackupsStep(phase)
		return
	case "lagging-log":
		r.laggingLogStep(phase)
		return
	}
	next, dur := phase+1, int64(0)
	switch phase {
	case 0:
		r.net.drop = nil
		dur = r.between(100_000, 300_000)
	case 1:
		if !r.episodeRoles() {
			next, dur = 0, 50_000
			break
		}
		r.net.drop = r.dropStaleData
		dur = r.between(80_000, 300_000)
	case 2:
		r.net.drop = r.dropViewChangeAroundX
		dur = r.between(250_000, 450_000)
	default:
		r.net.drop = nil
		r.crashWithinF(r.ep.y, 50_000, 400_000)
		next, dur = 0, r.between(300_000, 600_000)
	}
	r.logf("episode phase %d (p %d y %d x %d)", phase, r.ep.p, r.ep.y, r.ep.x)
	r.mon.update(r)
	r.schedule(r.now+dur, event{kind: evEpisode, node: next})
}

// episodeRoles picks p, y and x from the current view; it fails unless
// there are 3 replicas, all up and normal in one view.
func (r *run) episodeRoles() bool {
	v, ok := r.settledView3()
	if ok {
		r.ep = episode{p: int(v % 3), y: int((v + 1) % 3), x: int((v + 2) % 3)}
	}
	return ok
}

// settledView3 returns the view that all 3 replicas are up and normal in,
// and false if there are not 3 replicas or they are not.
func (r *run) settledView3() (uint64, bool) {
	if r.n != 3 {
		return 0, false
	}
	v := r.replicas[0].view
	for _, rep := range r.replicas {
		if !r.healthy(rep.idx) || rep.status != statusNormal || rep.view != v {
			return 0, false
		}
	}
	return v, true
}

// dropStaleData keeps log data from and to x (phase 1).
func (r *run) dropStaleData(from, to int, m message.Message) bool {
	x := r.ep.x
	switch m.(type) {
	case *message.Prepare, *message.GetState, *message.NewState,
		*message.GetCheckpoint, *message.CheckpointChunk, *message.GetLog, *message.LogChunk:
		return to == x || from == x
	}
	return false
}

// dropViewChangeAroundX runs the view change p→y behind x's back (phase 2).
func (r *run) dropViewChangeAroundX(from, to int, m message.Message) bool {
	p, y, x := r.ep.p, r.ep.y, r.ep.x
	if r.dropStaleData(from, to, m) {
		return true
	}
	switch m.(type) {
	case *message.StartViewChange, *message.DoViewChange:
		return to == x
	case *message.StartView:
		return to == x || (from == y && to == p)
	case *message.Prepare, *message.Commit:
		if from == p && to == y {
			return true
		}
	}
	return (from == x && to == p) || (from == y && to == p)
}

// endEpisode ends a scripted episode at the start of the quiet phase:
// what it held back is delivered and every client goes back to its
// workload.
func (r *run) endEpisode() {
	r.releaseEpisodeHeld()
	if r.opts.Faults.Episode == "stalled-backup" {
		r.releaseStalledHeld()
		r.readers = nil
	}
	for _, h := range r.ep.lost.held {
		r.scheduleDelivery(h.from, h.to, h.msg, r.between(minDelay, maxDelay))
	}
	r.ep.lost.held = nil
}

// crashWithinF crashes replica i, if it is up and one more crash stays
// within f, and restarts it between lo and hi µs later.
func (r *run) crashWithinF(i int, lo, hi int64) {
	if rep := r.replicas[i]; rep.up && r.downOrRecovering() < r.f {
		r.crash(rep)
		r.schedule(r.now+r.between(lo, hi), event{kind: evRestart, node: rep.idx, inc: rep.inc})
	}
}
