package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// stepCheck restarts whatever is down and checks the final state.
func (d *demo) stepCheck(ctx context.Context) error {
	d.ui.heading(5, "Everyone back; checking")
	for i := range d.f.replicas {
		if !d.cl.Running(i) {
			if err := d.recoverReplica(ctx, i, false); err != nil {
				return err
			}
		}
	}
	rows, err := d.settle(ctx)
	if err != nil {
		return err
	}
	d.checkDigests(rows)
	if err := d.checkAcked(ctx); err != nil {
		return err
	}
	d.ui.table(d.cl.Addrs, rows)
	return nil
}

// checkDigests compares the state digests of replicas that executed the
// same ops (settle waited for that).
func (d *demo) checkDigests(rows []statusRow) {
	want, full := rows[0].status.Digest, 0
	for i, r := range rows {
		if r.status.Role == "witness" {
			continue // it holds no state
		}
		full++
		if r.status.Digest != want {
			d.ui.fail("replica %s has state digest %016x, replica %s %016x after the same %d ops",
				d.cl.port(i), r.status.Digest, d.cl.port(0), want, r.status.Executed)
			return
		}
	}
	d.digestsOK = true
	d.ui.ok("all %d full replicas executed the same %d ops and have the same state digest %016x",
		full, rows[0].status.Executed, want)
}

// checkAcked reads back every acknowledged write.
func (d *demo) checkAcked(ctx context.Context) error {
	acked, _ := d.kv.snapshot()
	keys := make([]string, 0, len(acked))
	for k := range acked {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	bad := 0
	for _, k := range keys {
		v, found, _, err := d.kv.get(ctx, k)
		if err != nil {
			return err
		}
		if !found || v != acked[k] {
			if bad++; bad > 5 {
				continue
			}
			d.ui.fail("key %s: last acknowledged write was %q, read back %q (found=%v)", k, acked[k], v, found)
		}
	}
	if bad > 0 {
		d.ui.fail("%d of %d keys do not hold their last acknowledged value", bad, len(keys))
		return nil
	}
	d.writesOK = true
	d.ui.ok("read back all %d keys written: each has its last acknowledged value", len(keys))
	return nil
}

// summary prints what happened and the verdict.
func (d *demo) summary() {
	_, ops := d.kv.snapshot()
	views := make([]string, len(d.views))
	for i, v := range d.views {
		views[i] = fmt.Sprint(v)
	}
	d.ui.line("\n" + d.ui.paint(ansiBold, "Summary"))
	d.ui.explain("client requests  %d, every one acknowledged", ops)
	d.ui.explain("view changes     %d (views %s)", len(d.views)-1, strings.Join(views, " → "))
	if d.f.reconfigure {
		epochs := "0"
		for _, e := range d.epochs {
			epochs += fmt.Sprintf(" → %d", e)
		}
		d.ui.explain("reconfigurations %d (epochs %s), final members %v", len(d.epochs), epochs, d.final)
	}
	if d.f.durable {
		d.ui.explain("restarts         %d from disk, %d through the recovery protocol", d.diskRestarts, d.recoveries)
	} else {
		d.ui.explain("recoveries       %d", d.recoveries)
	}
	d.ui.explain("time             %v", time.Since(d.began).Round(10*time.Millisecond))
	checks := fmt.Sprintf("acknowledged writes %s, state digests %s", d.mark(d.writesOK), d.mark(d.digestsOK))
	if d.f.durable {
		checks += ", restarts from disk " + d.mark(d.fromDiskOK)
	}
	d.ui.explain("checks           %s", checks)
	if d.passed() {
		d.ui.line(d.ui.paint(ansiBold+ansiGreen, "PASS"))
	} else {
		d.ui.line(d.ui.paint(ansiBold+ansiRed, "FAIL"))
	}
}

// passed reports whether every final check passed.
func (d *demo) passed() bool {
	return d.writesOK && d.digestsOK && (!d.f.durable || d.fromDiskOK)
}

// mark is a check's verdict.
func (d *demo) mark(ok bool) string {
	if ok {
		return d.ui.paint(ansiGreen, "✓ ok")
	}
	return d.ui.paint(ansiRed, "✗ FAILED")
}
