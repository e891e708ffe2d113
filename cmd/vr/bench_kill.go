package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vr-go/vr/loadgen"
	"github.com/vr-go/vr/node"
)

// A fault during a local benchmark (--kill-backup-at, --kill-primary-at):
// at the given time into the measured period, one server is killed
// (SIGKILL) and, --restart-after later, started again from its data
// directory (durable) or empty (diskless: it recovers from its peers),
// while the clients keep going. What is measured:
//
//   - for the primary: how long until one of the others is primary of a
//     later view, in normal status (polled every pollEvery);
//   - for either, once restarted: how long until it is a full copy again
//     (normal status, holding the state, not fetching a checkpoint) and
//     has executed what the primary had committed at the previous poll —
//     caught up, by log or by checkpoint transfer; and whether it was seen
//     without its state meanwhile (fetching a checkpoint);
//   - the clients' p99 and max latency per second, worst second, from the
//     kill until the restarted server caught up.

// pollEvery is how often the fault's measurements read the servers'
// status endpoints.
const pollEvery = 20 * time.Millisecond

// benchFault is what happened to one killed server.
type benchFault struct {
	Role   string  `json:"role"` // "backup" or "primary"
	Server int     `json:"server"`
	At     float64 `json:"at_seconds"` // into the run, warmup included
	// ViewChangeSeconds: the primary's kill until another replica was
	// primary of a later view, in normal status.
	ViewChangeSeconds *float64 `json:"view_change_seconds,omitempty"`
	NewView           uint64   `json:"new_view,omitempty"`
	// DownSeconds: kill to restart; CatchUpSeconds: restart until caught
	// up (see above); FetchedCheckpoint: it was seen without its state.
	DownSeconds       float64  `json:"down_seconds"`
	CatchUpSeconds    *float64 `json:"catch_up_seconds,omitempty"`
	FetchedCheckpoint bool     `json:"fetched_checkpoint"`
	// WorstP99 and WorstMax: the clients' worst one-second p99 and max
	// latency from the kill until caught up.
	WorstP99 time.Duration `json:"worst_p99_ns"`
	WorstMax time.Duration `json:"worst_max_ns"`
	Err      string        `json:"error,omitempty"`
}

// progressLog keeps the run's progress snapshots for the faults.
type progressLog struct {
	mu    sync.Mutex
	snaps []loadgen.Snapshot
}

func (p *progressLog) add(s loadgen.Snapshot) {
	p.mu.Lock()
	p.snaps = append(p.snaps, s)
	p.mu.Unlock()
}

// worst returns the highest per-second p99 and max of the snapshots taken
// in (from, to] of the run's elapsed time, the second that contains from
// included.
func (p *progressLog) worst(from, to time.Duration) (p99, most time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.snaps {
		if s.Elapsed > from && s.Elapsed <= to+time.Second {
			p99, most = max(p99, s.P99), max(most, s.Max)
		}
	}
	return p99, most
}

// scheduleFaults starts the requested faults on a goroutine; the returned
// function waits for them (or ctx) and returns what they measured.
func scheduleFaults(ctx context.Context, f benchFlags, l *benchLocal, start time.Time, prog *progressLog, w io.Writer) func() []benchFault {
	type plan struct {
		role string
		at   time.Duration
	}
	var plans []plan
	if f.killBackupAt > 0 {
		plans = append(plans, plan{"backup", f.killBackupAt})
	}
	if f.killPrimaryAt > 0 {
		plans = append(plans, plan{"primary", f.killPrimaryAt})
	}
	if len(plans) == 0 || l == nil {
		return func() []benchFault { return nil }
	}
	if len(plans) == 2 && plans[1].at < plans[0].at {
		plans[0], plans[1] = plans[1], plans[0]
	}
	done := make(chan []benchFault, 1)
	go func() {
		var out []benchFault
		defer func() { done <- out }()
		for _, p := range plans {
			at := start.Add(f.warmup + p.at)
			select {
			case <-ctx.Done():
				return // the load ended first
			case <-time.After(time.Until(at)):
			}
			ft := l.fault(ctx, p.role, f.restartAfter, start, prog)
			fmt.Fprintf(w, "vr bench: %s\n", ft.describe())
			out = append(out, ft)
		}
	}()
	// ctx ends with the load: a fault still measuring then reports what
	// it has (its waits end with ctx), and later ones never start.
	return func() []benchFault { return <-done }
}

// fault kills the server in role, restarts it after restartAfter, and
// measures as described above.
func (l *benchLocal) fault(ctx context.Context, role string, restartAfter time.Duration, start time.Time, prog *progressLog) benchFault {
	ft := benchFault{Role: role, Server: -1, At: time.Since(start).Seconds()}
	sts, primary, view, err := l.findPrimary(ctx)
	if err != nil {
		ft.Err = err.Error()
		return ft
	}
	victim := primary
	if role == "backup" {
		victim = (primary + 1) % len(sts)
		for victim != primary && l.isWitness(victim) {
			victim = (victim + 1) % len(sts)
		}
	}
	ft.Server = victim
	killedAt := time.Now()
	ft.At = killedAt.Sub(start).Seconds()
	if err := l.cl.Kill(victim); err != nil {
		ft.Err = err.Error()
		return ft
	}
	if role == "primary" {
		if d, v, err := l.waitNewPrimary(ctx, victim, view); err == nil {
			s := d.Sub(killedAt).Seconds()
			ft.ViewChangeSeconds, ft.NewView = &s, v
		} else {
			ft.Err = err.Error()
		}
	}
	select {
	case <-ctx.Done():
		return ft
	case <-time.After(time.Until(killedAt.Add(restartAfter))):
	}
	restarted := time.Now()
	ft.DownSeconds = restarted.Sub(killedAt).Seconds()
	if err := l.cl.Start(victim, false); err != nil {
		ft.Err = err.Error()
		return ft
	}
	caught, fetched, err := l.waitCaughtUp(ctx, victim)
	ft.FetchedCheckpoint = fetched
	if err != nil {
		ft.Err = err.Error() // the load ended first, or faultTimeout
		caught = time.Now()
	} else {
		s := caught.Sub(restarted).Seconds()
		ft.CatchUpSeconds = &s
	}
	ft.WorstP99, ft.WorstMax = prog.worst(killedAt.Sub(start), caught.Sub(start))
	return ft
}

// faultTimeout bounds each wait of a fault's measurement.
const faultTimeout = 5 * time.Minute

// waitNewPrimary polls the servers but dead until one is primary of a
// view after view, in normal status; it returns when it saw that.
func (l *benchLocal) waitNewPrimary(ctx context.Context, dead int, view uint64) (time.Time, uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, faultTimeout)
	defer cancel()
	for {
		for i, ep := range l.statusAddrs {
			if i == dead {
				continue
			}
			if s, err := statusOnce(ctx, ep); err == nil && s.IsPrimary && s.View > view {
				return time.Now(), s.View, nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, 0, fmt.Errorf("no new primary: %w", ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}

// waitCaughtUp polls the restarted server until it holds the state in
// normal status and executed what the primary had committed at the poll
// before; it reports whether it was seen without its state.
func (l *benchLocal) waitCaughtUp(ctx context.Context, i int) (time.Time, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, faultTimeout)
	defer cancel()
	var target uint64
	fetched := false
	for {
		s, err := statusOnce(ctx, l.statusAddrs[i])
		if err == nil {
			fetched = fetched || (!s.HasState && s.Status == "normal")
			if s.Status == "normal" && s.HasState && target > 0 && s.Executed >= target {
				return time.Now(), fetched, nil
			}
		}
		if c := l.primaryCommit(ctx, i); c > 0 {
			target = c
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fetched, fmt.Errorf("server %d had not caught up when the load ended (or after %v): %w", i, faultTimeout, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}

// primaryCommit is the commit number of a primary other than i (0 if none
// answered as primary).
func (l *benchLocal) primaryCommit(ctx context.Context, i int) uint64 {
	for j, ep := range l.statusAddrs {
		if j == i {
			continue
		}
		if s, err := statusOnce(ctx, ep); err == nil && s.IsPrimary {
			return s.CommitNumber
		}
	}
	return 0
}

// findPrimary reads every server's status until one is primary in normal
// status, for up to findPrimaryFor: a loaded server's status may not
// answer within a second, or the cluster may be between views.
func (l *benchLocal) findPrimary(ctx context.Context) (sts []node.Status, primary int, view uint64, err error) {
	ctx, cancel := context.WithTimeout(ctx, findPrimaryFor)
	defer cancel()
	for {
		sts, err = l.statuses(ctx)
		if err == nil {
			for i, s := range sts {
				if s.IsPrimary {
					return sts, i, s.View, nil
				}
			}
			err = errors.New("no primary in normal status to tell the backups from")
		}
		select {
		case <-ctx.Done():
			return nil, -1, 0, fmt.Errorf("after %v: %w", findPrimaryFor, err)
		case <-time.After(pollEvery):
		}
	}
}

// findPrimaryFor bounds the search for the primary before a kill.
const findPrimaryFor = time.Minute

// statuses reads every server's status.
func (l *benchLocal) statuses(ctx context.Context) ([]node.Status, error) {
	var out []node.Status
	for _, ep := range l.statusAddrs {
		s, err := statusOnce(ctx, ep)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// statusOnce reads one status endpoint, waiting at most a second.
func statusOnce(ctx context.Context, ep string) (node.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return fetchStatus(ctx, ep)
}

func (l *benchLocal) isWitness(i int) bool {
	for _, w := range l.witnesses {
		if w == i {
			return true
		}
	}
	return false
}

// describe is the fault's line in the report.
func (ft benchFault) describe() string {
	s := fmt.Sprintf("killed the %s (server %d) %.0fs into the run", ft.Role, ft.Server, ft.At)
	if ft.ViewChangeSeconds != nil {
		s += fmt.Sprintf("; view change to view %d in %.3fs", ft.NewView, *ft.ViewChangeSeconds)
	}
	if ft.DownSeconds > 0 {
		s += fmt.Sprintf("; restarted after %.1fs", ft.DownSeconds)
	}
	if ft.CatchUpSeconds != nil {
		how := "from the log"
		if ft.FetchedCheckpoint {
			how = "by checkpoint transfer"
		}
		s += fmt.Sprintf("; caught up %s in %.2fs", how, *ft.CatchUpSeconds)
	}
	s += fmt.Sprintf("; clients meanwhile: worst second p99 %v, max %v", ms(ft.WorstP99), ms(ft.WorstMax))
	if ft.Err != "" {
		s += "; error: " + ft.Err
	}
	return s
}
