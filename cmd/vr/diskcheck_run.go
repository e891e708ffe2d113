package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vr-go/vr/loadgen"
	"github.com/vr-go/vr/wal"
)

// diskCheckConfig is a checked disk-check run.
type diskCheckConfig struct {
	dir             string
	writers, size   int
	bulkBytesPerSec int
	duration        time.Duration
	fs              wal.FS // the log's file system (wal.OS: fdatasync)
}

// diskReport is what a disk-check run measured.
type diskReport struct {
	Dir             string        `json:"dir"`
	Writers         int           `json:"writers"`
	Size            int           `json:"append_bytes"`
	BulkMiBPerSec   int           `json:"bulk_mib_per_s"`
	Duration        time.Duration `json:"duration_ns"`
	Syncs           uint64        `json:"syncs"`
	SyncsPerSecond  float64       `json:"syncs_per_s"`
	P50             time.Duration `json:"p50_ns"`
	P99             time.Duration `json:"p99_ns"`
	P999            time.Duration `json:"p999_ns"`
	Max             time.Duration `json:"max_ns"`
	BulkBytes       int64         `json:"bulk_bytes"`
	Seconds         int           `json:"seconds"`
	SecondsOver10ms int           `json:"seconds_p99_over_10ms"`
	SecondsOver20ms int           `json:"seconds_p99_over_20ms"`
	Verdict         string        `json:"verdict"`
	Disk            diskSetup     `json:"disk"`
}

// syncGuide is etcd's guidance for a disk under a replicated log: a p99
// fdatasync under 10 ms.
const syncGuide = 10 * time.Millisecond

// syncLatencies collects sync latencies, in total and per second.
type syncLatencies struct {
	mu      sync.Mutex
	total   loadgen.Histogram
	second  loadgen.Histogram
	seconds []time.Duration // each finished second's p99
	bulk    atomic.Int64    // bytes the bulk writer wrote
}

func (s *syncLatencies) record(d time.Duration) {
	s.mu.Lock()
	s.total.Record(d)
	s.second.Record(d)
	s.mu.Unlock()
}

// endSecond closes the current second.
func (s *syncLatencies) endSecond() {
	s.mu.Lock()
	if s.second.Count() > 0 {
		s.seconds = append(s.seconds, s.second.Quantile(0.99))
	}
	s.second = loadgen.Histogram{}
	s.mu.Unlock()
}

// checkDisk runs the writers (and the bulk writer) for cfg.duration, or
// until ctx ends, and reports. Its files are removed at the end.
func checkDisk(ctx context.Context, cfg diskCheckConfig) (diskReport, error) {
	dir, err := os.MkdirTemp(cfg.dir, "vr-disk-check-")
	if err != nil {
		return diskReport{}, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var lat syncLatencies
	errs := make(chan error, cfg.writers+1)
	var wg sync.WaitGroup
	for i := range cfg.writers {
		wg.Go(func() {
			errs <- cancelOnError(cancel, appendAndSync(ctx, cfg, filepath.Join(dir, fmt.Sprintf("log-%d", i)), &lat))
		})
	}
	if cfg.bulkBytesPerSec > 0 {
		wg.Go(func() { errs <- cancelOnError(cancel, writeBulk(ctx, cfg, dir, &lat)) })
	}
	start := time.Now()
	tick := time.NewTicker(time.Second)
	for done := false; !done; {
		select {
		case <-tick.C:
			lat.endSecond()
		case <-ctx.Done():
			done = true
		}
	}
	tick.Stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return diskReport{}, err
		}
	}
	return lat.report(cfg, time.Since(start)), nil
}

// logWrap is the size at which a writer starts a new file, as the log
// starts a new segment (wal.DefaultSegmentSize): a check takes at most
// this much disk space per writer.
const logWrap = wal.DefaultSegmentSize

// appendAndSync appends cfg.size bytes to a new file at path and syncs it,
// again and again, until ctx ends, starting the file over at logWrap.
func appendAndSync(ctx context.Context, cfg diskCheckConfig, path string, lat *syncLatencies) error {
	buf := make([]byte, cfg.size)
	for i := range buf {
		buf[i] = byte(i*7 + 1)
	}
	for ctx.Err() == nil {
		if err := appendFile(ctx, cfg.fs, path, buf, lat); err != nil {
			return err
		}
	}
	return nil
}

// appendFile truncates the file at path and appends buf to it, each
// append synced, until it holds logWrap bytes or ctx ends.
func appendFile(ctx context.Context, fsys wal.FS, path string, buf []byte, lat *syncLatencies) error {
	f, err := fsys.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	for off := int64(0); off < logWrap && ctx.Err() == nil; off += int64(len(buf)) {
		if _, err := f.WriteAt(buf, off); err != nil {
			return err
		}
		t := time.Now()
		if err := f.Sync(); err != nil {
			return err
		}
		lat.record(time.Since(t))
	}
	return nil
}

// cancelOnError ends the run at a writer's error, so that it is reported
// at once rather than at the end of the duration.
func cancelOnError(cancel context.CancelFunc, err error) error {
	if err != nil {
		cancel()
	}
	return err
}

// bulkFile is the size of each bulk file, about a checkpoint delta's at
// the default --checkpoint-bytes, several of a base's pieces.
const bulkFile = 64 << 20

// writeBulk writes cfg.bulkBytesPerSec into files beside the logs, until
// ctx ends, as a durable replica writes its checkpoints: each a new file
// of bulkFile bytes, written back a piece at a time (wal.WriteBack), synced
// at its end, after which the one before it is removed. (Overwriting one
// file in place, synced every 2 MiB, as until the nineteenth session,
// hid what creating and removing files costs the logs' syncs:
// docs/benchmarks.md.)
func writeBulk(ctx context.Context, cfg diskCheckConfig, dir string, lat *syncLatencies) error {
	piece := make([]byte, wal.WriteBackPiece)
	for i := range piece {
		piece[i] = byte(i*13 + 5)
	}
	start := time.Now()
	for n := 0; ctx.Err() == nil; n++ {
		path := filepath.Join(dir, fmt.Sprintf("bulk-%d", n))
		if err := writeBulkFile(ctx, cfg, path, piece, start, lat); err != nil {
			return err
		}
		if n > 0 {
			if err := cfg.fs.Remove(filepath.Join(dir, fmt.Sprintf("bulk-%d", n-1))); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeBulkFile writes one bulk file of bulkFile bytes (less if ctx ends),
// paced to cfg.bulkBytesPerSec since start (lat.bulk counts the bytes),
// and syncs it.
func writeBulkFile(ctx context.Context, cfg diskCheckConfig, path string, piece []byte, start time.Time, lat *syncLatencies) error {
	f, err := cfg.fs.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	for off := int64(0); off < bulkFile && ctx.Err() == nil; off += int64(len(piece)) {
		if _, err := f.WriteAt(piece, off); err != nil {
			return err
		}
		if err := wal.WriteBack(f, off, int64(len(piece))); err != nil {
			return err
		}
		written := lat.bulk.Add(int64(len(piece)))
		due := start.Add(time.Duration(float64(written) / float64(cfg.bulkBytesPerSec) * float64(time.Second)))
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(due)):
		}
	}
	return f.Sync()
}

// report summarises the latencies of a run that took took.
func (s *syncLatencies) report(cfg diskCheckConfig, took time.Duration) diskReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := diskReport{Dir: cfg.dir, Writers: cfg.writers, Size: cfg.size, BulkMiBPerSec: cfg.bulkBytesPerSec >> 20,
		Duration: took.Round(time.Millisecond), Syncs: s.total.Count(),
		P50: s.total.Quantile(0.5), P99: s.total.Quantile(0.99), P999: s.total.Quantile(0.999), Max: s.total.Max(),
		BulkBytes: s.bulk.Load(), Seconds: len(s.seconds)}
	if took > 0 {
		r.SyncsPerSecond = float64(r.Syncs) / took.Seconds()
	}
	for _, p99 := range s.seconds {
		if p99 > syncGuide {
			r.SecondsOver10ms++
		}
		if p99 > 20*time.Millisecond {
			r.SecondsOver20ms++
		}
	}
	r.Verdict = verdict(r)
	return r
}

// verdict judges a run against syncGuide.
func verdict(r diskReport) string {
	switch {
	case r.Syncs == 0:
		return "no sync completed"
	case r.P99 > syncGuide:
		return fmt.Sprintf("slow: p99 sync %v is over %v; a durable cluster's write latency will follow it", r.P99.Round(time.Microsecond), syncGuide)
	case r.SecondsOver10ms > 0:
		return fmt.Sprintf("ok overall (p99 sync %v), but %d of %d seconds had a p99 over %v", r.P99.Round(time.Microsecond), r.SecondsOver10ms, r.Seconds, syncGuide)
	}
	return fmt.Sprintf("ok: p99 sync %v, within %v in every second", r.P99.Round(time.Microsecond), syncGuide)
}
