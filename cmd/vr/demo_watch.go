package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vr-go/vr/internal/procs"
)

// demoPoll is how often the demo reads the status endpoints while waiting.
const demoPoll = 20 * time.Millisecond

// snapshot reads every replica's status endpoint once.
func (d *demo) snapshot(ctx context.Context) []statusRow {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return fetchAll(ctx, d.cl.StatusAddrs)
}

// waitFor polls the status endpoints until cond holds or limit passes. With
// trace set it prints every change in the replicas' statuses and views.
func (d *demo) waitFor(ctx context.Context, what string, limit time.Duration, trace bool, cond func([]statusRow) bool) ([]statusRow, error) {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start, last := time.Now(), ""
	var rows []statusRow
	err := procs.Poll(wctx, demoPoll, func() (bool, error) {
		if err := d.cl.unexpectedExit(); err != nil {
			return false, err
		}
		rows = d.snapshot(wctx)
		if s := d.phases(rows); trace && s != last {
			d.ui.event(time.Since(start), s)
			last = s
		}
		return cond(rows), nil
	})
	switch {
	case err == nil:
		return rows, nil
	case !errors.Is(err, wctx.Err()): // a replica exited (wctx.Err() is nil until wctx ends)
		return nil, err
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	var b bytes.Buffer
	printStatus(&b, d.cl.Addrs, rows)
	return nil, fmt.Errorf("gave up after %v waiting for %s; last status:\n%s", limit, what, b.String())
}

// phases summarizes the replicas' states in one line, for example
// "normal view 1: 8001* 8002 | view-change view 2: 8003 | down: 8000"
// (* marks the primary).
func (d *demo) phases(rows []statusRow) string {
	var order []string
	groups := map[string][]string{}
	for i, r := range rows {
		key, name := "down", d.cl.port(i)
		if r.err == nil {
			key = fmt.Sprintf("%s view %d", r.status.Status, r.status.View)
			if r.status.IsPrimary {
				name += "*"
			}
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], name)
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, k+": "+strings.Join(groups[k], " "))
	}
	return strings.Join(parts, " | ")
}

// agreed reports whether every running replica is in normal status in the
// same view, with a running primary that knows it is primary. It returns
// that view and primary.
func (d *demo) agreed(rows []statusRow) (view uint64, primary int, ok bool) {
	primary = -1
	for i, r := range rows {
		if !d.cl.Running(i) {
			continue
		}
		s := r.status
		if r.err != nil || s.Status != "normal" || (primary >= 0 && (s.View != view || s.Primary != primary)) {
			return 0, -1, false
		}
		view, primary = s.View, s.Primary
	}
	if primary < 0 || !d.cl.Running(primary) || !rows[primary].status.IsPrimary {
		return 0, -1, false
	}
	return view, primary, true
}

// settled additionally requires every running replica to hold and have
// executed the same ops, as they do once the client pauses.
func (d *demo) settled(rows []statusRow) bool {
	_, p, ok := d.agreed(rows)
	if !ok {
		return false
	}
	want := rows[p].status
	for i, r := range rows {
		s := r.status
		executed := s.Executed == want.Executed || s.Role == "witness" // a witness executes nothing
		if d.cl.Running(i) && (s.OpNumber != want.OpNumber || s.CommitNumber != want.CommitNumber ||
			!executed || s.CommitNumber != s.OpNumber) {
			return false
		}
	}
	return true
}

// settle waits until the running replicas agree on view and ops.
func (d *demo) settle(ctx context.Context) ([]statusRow, error) {
	return d.waitFor(ctx, "the replicas to agree on view and ops", 10*time.Second, false, d.settled)
}
