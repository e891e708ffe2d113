package main

import (
	"context"
	"fmt"
	"time"
)

// stepNormal shows requests going through the primary.
func (d *demo) stepNormal(ctx context.Context) error {
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	_, p, _ := d.agreed(rows)
	d.ui.heading(1, "Normal operation")
	d.ui.explain("The client sends each request to the primary, %s. The primary gives it the next op-number,", d.cl.port(p))
	d.ui.explain("appends it to its log and sends it to the backups in a Prepare. Each backup appends it too and")
	d.ui.explain("answers PrepareOK. Once f+1 = %d replicas (the primary included) hold the op, it is committed:", d.f.replicas/2+1)
	d.ui.explain("the primary executes it and replies. Backups learn the commit-number from the next Prepare, or")
	d.ui.explain("from a Commit the primary sends when idle (its heartbeat). Reads go through the log too.")
	if err := d.narratedOps(ctx); err != nil {
		return err
	}
	if rows, err = d.settle(ctx); err != nil {
		return err
	}
	d.ui.ok("every replica holds and has executed op %d. What `vr status` shows:", rows[p].status.OpNumber)
	d.ui.table(d.cl.Addrs, rows)
	return nil
}

// narratedOps does a few puts and gets, printing each.
func (d *demo) narratedOps(ctx context.Context) error {
	writes := [][2]string{{"city", "Paris"}, {"planet", "Mars"}, {"color", "blue"}, {"answer", "42"}, {"city", "Lyon"}}
	for _, w := range writes {
		ver, took, err := d.kv.put(ctx, w[0], w[1])
		if err != nil {
			return err
		}
		d.ui.op("put %-6s = %-6s → version %-2d %6v", w[0], w[1], ver, took.Round(100*time.Microsecond))
	}
	for _, key := range []string{"city", "planet", "pluto"} {
		v, found, took, err := d.kv.get(ctx, key)
		if err != nil {
			return err
		}
		if !found {
			v = "(not found)"
		}
		d.ui.op("get %-6s → %-20s %6v", key, v, took.Round(100*time.Microsecond))
	}
	return nil
}

// stepCrash returns step n: SIGKILL the primary while a client keeps
// writing, and wait for the view change.
func (d *demo) stepCrash(n int, title string) func(context.Context) error {
	return func(ctx context.Context) error {
		rows, err := d.settle(ctx)
		if err != nil {
			return err
		}
		view, p, _ := d.agreed(rows)
		d.ui.heading(n, title)
		load := startTraffic(ctx, d.kv, 2)
		defer load.finish()
		d.ui.do("kill -9 %d    # replica %s, the primary of view %d: it crashes, no goodbye",
			d.cl.Pid(p), d.cl.port(p), view)
		if err := d.cl.Kill(p); err != nil {
			return err
		}
		d.explainViewChange(view)
		key := fmt.Sprintf("after-crash-%d", n)
		put := d.putAsync(ctx, key, "survived")
		rows, err = d.waitFor(ctx, "a new view with a live primary", 15*time.Second, true,
			func(rows []statusRow) bool { v, _, ok := d.agreed(rows); return ok && v > view })
		if err != nil {
			return err
		}
		return d.reportViewChange(ctx, view, rows, key, put, load)
	}
}

func (d *demo) explainViewChange(view uint64) {
	n := uint64(d.f.replicas)
	d.ui.explain("The backups stop hearing from the primary: no Prepare, no Commit heartbeat. After %v", d.f.viewTimeout)
	d.ui.explain("(plus random jitter) a backup moves to view %d and sends StartViewChange to all. When f+1", view+1)
	d.ui.explain("agree, each sends its log in a DoViewChange to the new primary, which is fixed in advance:")
	if d.f.witness {
		d.explainWitnessViewChange(view)
	} else {
		d.ui.explain("round robin, view mod n = %d mod %d, so replica %s. It takes the most up-to-date log, sends",
			view+1, n, d.cl.port(int((view+1)%n)))
		d.ui.explain("StartView to all and serves clients again. A committed op is in f+1 logs, and any f+1")
		d.ui.explain("DoViewChanges include one of them, so nothing committed is lost.")
	}
	d.ui.explain("The client only sees a delay: it resends its request, then broadcasts it to every replica.")
}

// putResult is the outcome of a put run in the background.
type putResult struct {
	version uint64
	took    time.Duration
	err     error
}

func (d *demo) putAsync(ctx context.Context, key, val string) <-chan putResult {
	done := make(chan putResult, 1)
	go func() {
		v, took, err := d.kv.put(ctx, key, val)
		done <- putResult{v, took, err}
	}()
	return done
}

// reportViewChange prints how the view change went for the client and the
// background load, and the status table.
func (d *demo) reportViewChange(ctx context.Context, old uint64, rows []statusRow, key string, put <-chan putResult, load *demoTraffic) error {
	view, p, _ := d.agreed(rows)
	d.views = append(d.views, view)
	n := uint64(d.f.replicas)
	if d.f.witness {
		d.ui.ok("view %d started; its primary is %s (round robin over the full replicas: full[%d mod 2])", view, d.cl.port(p), view)
		if p == demoWitness {
			return fmt.Errorf("the witness %s became primary", d.cl.port(p))
		}
	} else {
		d.ui.ok("view %d started; its primary is %s (round robin: %d mod %d = %d)", view, d.cl.port(p), view, n, p)
	}
	if view > old+1 {
		d.ui.explain("(view %d did not complete, so the replicas moved on to the next view and primary)", old+1)
	}
	res := <-put
	if res.err != nil {
		return res.err
	}
	d.ui.op("put %s = survived → version %d after %v: it waited out the view change",
		key, res.version, res.took.Round(time.Millisecond))
	return d.reportLoad(ctx, load)
}

// reportLoad stops the background load, reports it and shows the table.
func (d *demo) reportLoad(ctx context.Context, load *demoTraffic) error {
	ops, slowest, err := load.finish()
	if err != nil {
		return fmt.Errorf("background client: %w", err)
	}
	d.ui.ok("meanwhile a background client did %d requests; none failed, the slowest took %v",
		ops, slowest.Round(time.Millisecond))
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	d.ui.table(d.cl.Addrs, rows)
	return nil
}
