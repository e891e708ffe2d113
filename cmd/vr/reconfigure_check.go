package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vr-go/vr/node"
)

// errMoveUnfinished: vr reconfigure --check found the last move unfinished
// (exit status 1, "no").
var errMoveUnfinished = errors.New("the last reconfiguration has not finished")

// moveReport is what --check found about the newest configuration.
type moveReport struct {
	epoch         uint64
	members       []node.MemberStatus
	lines         []string // one per member: where it stands
	started       int      // voting members normal in the epoch (with the state, or witnesses)
	voting        int      // members that vote (full replicas and witnesses)
	all           int      // members that started, standbys included
	transitioning bool     // a replica of the epoch holds a later RECONFIGURATION
}

// need is f'+1: how many voting members must have started the epoch.
func (m moveReport) need() int { return (m.voting-1)/2 + 1 }

// finished reports whether the move to the epoch is over: f'+1 voting
// members started it (the leaving replicas may shut down: they wait for
// as many EpochStarted) and no later reconfiguration is under way.
func (m moveReport) finished() bool {
	return len(m.members) > 0 && !m.transitioning && m.started >= m.need()
}

// assessMove reads the rows of the replicas' status endpoints.
func assessMove(rows []statusRow) moveReport {
	cfg := newestConfig(rows)
	rep := moveReport{epoch: cfg.Epoch, members: cfg.Members}
	for _, m := range cfg.Members {
		if m.Role != "standby" {
			rep.voting++
		}
		r, ok := rowOf(rows, m.ID)
		line, started := memberProgress(r, ok, cfg.Epoch, m)
		rep.lines = append(rep.lines, fmt.Sprintf("member %d (%s, %s): %s", m.ID, m.Role, m.Addr, line))
		if started {
			rep.all++
			if m.Role != "standby" {
				rep.started++
			}
		}
		if ok && r.Epoch == cfg.Epoch && r.Transitioning {
			rep.transitioning = true
		}
	}
	return rep
}

// rowOf is the status of the replica with id, if one answered.
func rowOf(rows []statusRow, id int) (node.Status, bool) {
	for _, r := range rows {
		if r.err == nil && r.status.ID == id {
			return r.status, true
		}
	}
	return node.Status{}, false
}

// memberProgress says where member m stands, and whether it started the
// epoch: normal in it, holding the state (a witness holds none).
func memberProgress(s node.Status, answered bool, epoch uint64, m node.MemberStatus) (string, bool) {
	switch {
	case !answered:
		return "no answer (down, or its status endpoint is not port+1000)", false
	case s.Epoch < epoch:
		return fmt.Sprintf("still in epoch %d (%s): it has not learned the move yet", s.Epoch, s.Status), false
	case s.Epoch > epoch:
		return fmt.Sprintf("already in epoch %d", s.Epoch), false
	case s.Status != "normal":
		return fmt.Sprintf("%s in view %d (fetching the epoch's state or changing view)", s.Status, s.View), false
	case m.Role != "witness" && !s.HasState:
		return fmt.Sprintf("normal in view %d but fetching a checkpoint (log after %d)", s.View, s.LogBase), false
	}
	return fmt.Sprintf("started: normal in view %d, op %d, commit %d", s.View, s.OpNumber, s.CommitNumber), true
}

// print writes the report.
func (m moveReport) print(w io.Writer) {
	if len(m.members) == 0 {
		fmt.Fprintln(w, "configuration: unknown (no replica answered)")
		return
	}
	for _, l := range m.lines {
		fmt.Fprintln(w, l)
	}
	switch {
	case m.transitioning:
		fmt.Fprintf(w, "not finished: a reconfiguration out of epoch %d is committing (transitioning)\n", m.epoch)
	case m.started < m.need():
		fmt.Fprintf(w, "not finished: %d of %d voting members started epoch %d, %d needed (f'+1)\n", m.started, m.voting, m.epoch, m.need())
	case m.all < len(m.members):
		fmt.Fprintf(w, "finished: %d of %d voting members started epoch %d (f'+1 = %d); replicas not in it may be retired; %d member(s) still catching up\n",
			m.started, m.voting, m.epoch, m.need(), len(m.members)-m.all)
	default:
		fmt.Fprintf(w, "finished: every member started epoch %d; replicas not in it may be retired\n", m.epoch)
	}
}

// runCheck is vr reconfigure --check: it asks the replicas' status
// endpoints (and the members of the newest configuration they report)
// until the move finished or wait is up.
func runCheck(ctx context.Context, w io.Writer, f clusterFlags, wait time.Duration) error {
	addrs, err := splitAddrs(f.cluster)
	if err != nil {
		return usageError{err}
	}
	if _, err := statusEndpoints(addrs, ""); err != nil {
		return usageError{err}
	}
	deadline := time.Now().Add(wait)
	for {
		qctx, cancel := context.WithTimeout(ctx, min(f.timeout, 2*time.Second))
		_, rows := fetchWithMembers(qctx, addrs, "")
		cancel()
		rep := assessMove(rows)
		if rep.finished() || !time.Now().Before(deadline) {
			fmt.Fprintf(w, "epoch %d: %s\n", rep.epoch, describeStatusMembers(rep.members))
			rep.print(w)
			if len(rep.members) == 0 {
				return fmt.Errorf("%w: no replica's status endpoint answered", errUnavailable)
			}
			if !rep.finished() {
				return errMoveUnfinished
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// describeStatusMembers formats members as describeConfig does.
func describeStatusMembers(ms []node.MemberStatus) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%d=%s", m.ID, m.Addr)
		if m.Role != "full" {
			s += "(" + m.Role + ")"
		}
	}
	return s
}
