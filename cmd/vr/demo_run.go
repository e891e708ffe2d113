package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vr-go/vr/auth"
)

// demo is one run of `vr demo`.
type demo struct {
	f          demoFlags
	ui         *demoUI
	cl         *demoCluster
	kv         *demoKV
	began      time.Time
	views      []uint64 // the views the cluster went through
	recoveries int
	digestsOK  bool // the final checks passed
	writesOK   bool
	// --durable: restarts that came back from their disks, and whether
	// every restart did so without the recovery protocol.
	diskRestarts int
	fromDiskOK   bool
	// --witness: the full replica frozen with SIGSTOP.
	frozen int
	// --reconfigure: the admin secret file, the background load, the
	// epochs reached and the final members.
	secret string
	load   *demoTraffic
	epochs []uint64
	final  []int
}

func newDemo(f demoFlags, ui *demoUI) (*demo, error) {
	var stream io.Writer // nil: logs go to files only
	if f.verbose {
		stream = ui.w
	}
	cl, err := newDemoCluster(f, stream)
	if err != nil {
		return nil, err
	}
	d := &demo{f: f, ui: ui, cl: cl, began: time.Now()}
	if f.reconfigure {
		if d.secret, err = cl.setupReconfig(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// run plays every step, then prints the summary.
func (d *demo) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		d.boot, d.stepNormal, d.stepCrash(2, "The primary crashes"), d.stepRecover,
		d.stepCrash(4, "The new primary crashes too"), d.stepCheck,
	}
	if d.f.witness {
		steps = d.witnessSteps()
	}
	if d.f.reconfigure {
		steps = d.reconfigSteps()
	}
	if d.f.durable {
		d.fromDiskOK = true // until a restart needs the recovery protocol
		steps = append(steps, d.stepWholeCrash)
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	d.summary()
	if !d.passed() {
		return errors.New("a final check failed (see above)")
	}
	return nil
}

// close stops the client and every replica process.
func (d *demo) close() {
	if d.load != nil {
		_, _, _ = d.load.finish()
	}
	if d.kv != nil {
		d.kv.c.Close()
	}
	n := d.cl.Stop(2 * time.Second)
	what := "Their logs are"
	if d.f.durable {
		what = "Their logs and data directories are"
	}
	d.ui.line(fmt.Sprintf("\nStopped %d replica processes. %s in %s", n, what, d.cl.LogDir))
}

// boot starts every replica as a new cluster and connects the client.
func (d *demo) boot(ctx context.Context) error {
	n := d.f.replicas
	d.ui.title("vr demo: Viewstamped Replication Revisited, with real processes")
	d.ui.explain("Starting %d replicas on 127.0.0.1 ports %s-%s. With n = 2f+1 = %d replicas the cluster",
		n, d.cl.port(0), d.cl.port(n-1), n)
	d.ui.explain("survives f = %d crashed replicas. Server logs: %s", n/2, d.cl.LogDir)
	if d.f.durable {
		d.explainDataDirs()
	}
	if d.f.witness {
		d.explainWitness()
	}
	d.ui.explain("Each replica starts with --new-cluster and waits until all the others confirm they are new.")
	d.ui.explain("Watch from another terminal:  %s", d.statusHint())
	for i := range n {
		if err := d.cl.Start(i, true); err != nil {
			return err
		}
	}
	start := time.Now()
	rows, err := d.waitFor(ctx, "the cluster to form", 15*time.Second, false, d.settled)
	if err != nil {
		return err
	}
	view, p, _ := d.agreed(rows)
	d.views = append(d.views, view)
	d.ui.ok("cluster formed in %v: view %d, primary %s", time.Since(start).Round(time.Millisecond), view, d.cl.port(p))
	if err := d.showTLS(ctx); err != nil {
		return err
	}
	tlsCfg, err := d.cl.clientTLS(auth.RoleWrite)
	if err != nil {
		return err
	}
	d.kv, err = dialDemoKV(ctx, d.cl.Addrs, d.witnesses(), tlsCfg)
	return err
}

// statusHint is the `vr status` command line that watches this cluster.
func (d *demo) statusHint() string {
	hint := "vr status --watch 500ms"
	if d.f.basePort != 8000 || d.f.replicas != 5 {
		hint += " --cluster " + strings.Join(d.cl.Addrs, ",")
	}
	return hint
}
