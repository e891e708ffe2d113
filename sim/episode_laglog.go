package sim

import "github.com/vr-go/vr/message"

// laggingLog is the state of the "lagging-log" episode (issue 10), on 3
// diskless replicas whose logs hold a few ops (a checkpoint after nearly
// every op) and whose drivers retain more (FaultConfig.RetainLogBytes).
// With p the primary of the current view and b a backup:
//
//	phase 1: b's next step stalls, and p's Prepares to b are lost for
//	         longer than p's log covers (its queue to b overflowed while
//	         b did not read). b still hears p's Commits, asks for what it
//	         misses, and gets a NewState whose log starts above its own:
//	         it catches up from p's retained log (GetLog, LogChunk)
//	         instead of fetching a checkpoint, as often as it falls
//	         behind.
//	phase 2: the network heals. A quiet spell follows, then it repeats.
//
// The checks that matter are the usual ones: committed prefixes agree,
// executed states agree, the clients' history is linearizable. A driver
// that serves entries that are not committed (plant.Driver.RetainAppended)
// fails them once a view change replaced entries it kept; the
// view changes come from the episode's stalls and the profile's loss.
type laggingLog struct {
	p, b int
}

// laggingLogStep enters phase (0 = quiet spell) and schedules the next.
func (r *run) laggingLogStep(phase int) {
	ep := &r.ep.laglog
	next, dur := phase+1, int64(0)
	switch phase {
	case 0:
		r.net.drop = nil
		dur = r.between(100_000, 300_000)
	case 1:
		p, a, b, ok := r.primaryAndBackups()
		if !ok || r.now+700_000 > r.quietAt {
			next, dur = 0, 50_000
			break
		}
		if r.chance(0.5) {
			b = a
		}
		*ep = laggingLog{p: p, b: b}
		r.replicas[b].forcedStall = r.between(20_000, 150_000)
		r.net.drop = r.dropPreparesToLaggingLog
		dur = r.between(150_000, 600_000)
	default:
		r.net.drop = nil
		next, dur = 0, r.between(100_000, 400_000)
	}
	r.logf("lagging-log phase %d (p %d b %d) %s", phase, ep.p, ep.b, r.describeBases())
	r.mon.update(r)
	r.schedule(r.now+dur, event{kind: evEpisode, node: next})
}

// dropPreparesToLaggingLog loses p's Prepares to b (phase 1).
func (r *run) dropPreparesToLaggingLog(from, to int, m message.Message) bool {
	_, ok := m.(*message.Prepare)
	return ok && from == r.ep.laglog.p && to == r.ep.laglog.b
}
