package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/wal"
)

func init() { register(newDiskCheckCmd) }

// diskCheckFlags are the flags of `vr disk-check`.
type diskCheckFlags struct {
	dir      string
	writers  int
	size     int
	bulk     int
	duration time.Duration
	json     bool
}

func newDiskCheckCmd() *cobra.Command {
	var f diskCheckFlags
	cmd := &cobra.Command{
		Use:   "disk-check",
		Short: "Measure whether a disk suits a durable replica's log",
		Long: `disk-check writes as durable replicas' logs do, in a temporary directory
under --dir: --writers files, each appended --size bytes at a time and
synced with fdatasync after every append (the log's own sync call), for
--duration. With --bulk it also writes that many MiB/s beside them as a
replica writes checkpoints beside its log: new 64 MiB files, written back
a quarter MiB at a time, each synced at its end, the one before removed.

It reports the syncs per second and their latency, and the seconds whose
p99 sync latency was over 10 ms and over 20 ms. A durable cluster answers
a write after the fastest f+1 replicas synced it, so a sync's latency is a
floor under every write's: etcd's guidance asks for a p99 fdatasync under
10 ms. Run it with as many writers as replicas share the disk.

On Linux it also names the disk's block device, I/O scheduler and write
cache, and the file system's mount, with advice where this project
measured a setting to cost durable replicas (docs/operations.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config()
			if err != nil {
				return usageError{err}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			rep, err := checkDisk(ctx, cfg)
			if err != nil {
				return err
			}
			rep.Disk = probeDisk(cfg.dir)
			return rep.print(cmd.OutOrStdout(), f.json)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", ".", "directory on the disk to check (a temporary directory is made and removed under it)")
	fl.IntVar(&f.writers, "writers", 3, "logs written at once, each synced after every append (1..64)")
	fl.IntVar(&f.size, "size", 1200, "bytes per append (1..16 MiB)")
	fl.IntVar(&f.bulk, "bulk", 0, "MiB per second written beside the logs as checkpoints are: new 64 MiB files, written back a quarter MiB at a time, each synced at its end (0: none)")
	fl.DurationVar(&f.duration, "duration", 20*time.Second, "how long to write (1s..1h)")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	return cmd
}

// errBadDiskCheck is wrapped by the errors of bad disk-check settings.
var errBadDiskCheck = errors.New("bad disk-check setting")

// config checks the flags.
func (f diskCheckFlags) config() (diskCheckConfig, error) {
	switch {
	case f.writers < 1 || f.writers > 64:
		return diskCheckConfig{}, fmt.Errorf("%w: --writers %d: want 1..64", errBadDiskCheck, f.writers)
	case f.size < 1 || f.size > 16<<20:
		return diskCheckConfig{}, fmt.Errorf("%w: --size %d: want 1..16 MiB", errBadDiskCheck, f.size)
	case f.bulk < 0 || f.bulk > 4096:
		return diskCheckConfig{}, fmt.Errorf("%w: --bulk %d: want 0..4096 MiB/s", errBadDiskCheck, f.bulk)
	case f.duration < time.Second || f.duration > time.Hour:
		return diskCheckConfig{}, fmt.Errorf("%w: --duration %v: want 1s..1h", errBadDiskCheck, f.duration)
	}
	if st, err := os.Stat(f.dir); err != nil || !st.IsDir() {
		return diskCheckConfig{}, fmt.Errorf("%w: --dir %q is not a directory", errBadDiskCheck, f.dir)
	}
	return diskCheckConfig{dir: f.dir, writers: f.writers, size: f.size, bulkBytesPerSec: f.bulk << 20,
		duration: f.duration, fs: wal.OS}, nil
}

// print writes the report as a table, or as JSON.
func (r diskReport) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(w, "disk-check: %d writers of %d-byte appends, each synced; bulk %d MiB/s; %s in %s\n",
		r.Writers, r.Size, r.BulkMiBPerSec, r.Duration, r.Dir)
	fmt.Fprintf(w, "  syncs       %d (%.0f per second)\n", r.Syncs, r.SyncsPerSecond)
	us := func(d time.Duration) time.Duration { return d.Round(time.Microsecond) }
	fmt.Fprintf(w, "  sync        p50 %v  p99 %v  p99.9 %v  max %v\n", us(r.P50), us(r.P99), us(r.P999), us(r.Max))
	if r.BulkMiBPerSec > 0 {
		fmt.Fprintf(w, "  bulk        %.1f MiB written\n", float64(r.BulkBytes)/(1<<20))
	}
	fmt.Fprintf(w, "  seconds     %d measured: %d with p99 over 10ms, %d over 20ms\n", r.Seconds, r.SecondsOver10ms, r.SecondsOver20ms)
	if d := r.Disk.describe(); d != "" {
		fmt.Fprintf(w, "  disk        %s\n", d)
	}
	_, err := fmt.Fprintf(w, "  verdict     %s\n", r.Verdict)
	for _, a := range r.Disk.Advice {
		fmt.Fprintf(w, "  advice      %s\n", a)
	}
	return err
}
