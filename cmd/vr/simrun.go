package main

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vr-go/vr/sim"
)

// outcome is the result of one seed.
type outcome struct {
	res sim.Result
	err error
}

// runSeeds runs f.seeds seeds on a pool of workers and prints a summary.
func runSeeds(w, progress io.Writer, f simFlags) error {
	if _, err := f.options(f.start); err != nil {
		return err
	}
	if f.seeds == 0 || f.workers < 1 {
		return errors.New("sim: need --seeds >= 1 and --workers >= 1")
	}
	began := time.Now()
	restore := tuneSimGC(f.workers)
	outs := runPool(f, progress)
	restore()
	var totals sim.Totals
	var failures []outcome
	for _, o := range outs {
		totals.Add(o.res, o.err)
		if o.err != nil {
			failures = append(failures, o)
		}
	}
	for i, o := range failures {
		if i == f.showFailures {
			fmt.Fprintf(w, "... and %d more failures\n", len(failures)-i)
			break
		}
		fmt.Fprintf(w, "FAIL %v\n", o.err)
	}
	fmt.Fprintf(w, "seeds %d..%d, %s\n", f.start, f.start+f.seeds-1, time.Since(began).Round(time.Millisecond))
	if err := totals.WriteTable(w); err != nil {
		return err
	}
	if len(failures) > 0 {
		var v *sim.Violation
		if errors.As(failures[0].err, &v) {
			fmt.Fprintf(w, "replay the first failure with:\n  %s\n", v.Replay)
		}
		return fmt.Errorf("%d of %d seeds failed", len(failures), totals.Runs)
	}
	return nil
}

// runPool runs the seeds on f.workers goroutines; each run is independent
// and single-threaded. Results come back in seed order.
func runPool(f simFlags, progress io.Writer) []outcome {
	outs := make([]outcome, f.seeds)
	next := make(chan uint64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := uint64(0)
	for i := 0; i < f.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				opts, _ := f.options(f.start + k) // validated by runSeeds
				res, err := sim.Run(opts)
				outs[k] = outcome{res, err}
				mu.Lock()
				done++
				if done%1000 == 0 {
					fmt.Fprintf(progress, "%d/%d seeds\n", done, f.seeds)
				}
				mu.Unlock()
			}
		}()
	}
	for k := uint64(0); k < f.seeds; k++ {
		next <- k
	}
	close(next)
	wg.Wait()
	return outs
}
