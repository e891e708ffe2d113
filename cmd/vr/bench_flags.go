package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vr-go/vr/client"
)

// validate checks the flags after resolve; explicitCluster tells whether
// --cluster was on the command line, durability whether --durable or
// --sync was.
func (f *benchFlags) validate(explicitCluster, durability bool) error {
	if err := f.workload().Validate(); err != nil {
		return fmt.Errorf("%s", flagNames(err.Error()))
	}
	switch {
	case f.readMode != string(client.ReadLease) && f.readMode != string(client.ReadLog) && f.readMode != string(client.ReadStale):
		return fmt.Errorf("--read-mode %q: use lease, log or stale", f.readMode)
	case f.coalesce < 0 || f.coalesce > f.sessions:
		return fmt.Errorf("--coalesce %d must be in [0, --sessions %d]", f.coalesce, f.sessions)
	case f.sessions < 1:
		return fmt.Errorf("--sessions must be at least 1, got %d", f.sessions)
	case f.timeout <= 0:
		return fmt.Errorf("--timeout must be positive, got %v", f.timeout)
	case f.timeout < f.warmup+f.duration:
		return fmt.Errorf("--timeout %v is shorter than --warmup plus --duration (%v)", f.timeout, f.warmup+f.duration)
	case f.local < 0 || f.local > 0 && f.local%2 == 0 || f.local > 9:
		return fmt.Errorf("--local %d: a cluster has 2f+1 replicas (1, 3, 5, 7 or 9)", f.local)
	case f.local > 0 && explicitCluster:
		return errors.New("pass --cluster (a running cluster) or --local N (start one), not both")
	case f.local > 0 && f.tls.files().Configured():
		return errors.New("--tls-cert, --tls-key and --tls-ca apply to a running cluster (--cluster); --local starts a plaintext loopback cluster")
	case f.local == 0 && f.witnesses != "":
		return errors.New("--witnesses only applies to a cluster started with --local")
	case f.local == 0 && (f.keepLogs || len(f.serverArgs) > 0 || f.serverLogLevel != "warn"):
		return errors.New("--keep-logs, --server-arg and --server-log-level only apply to a cluster started with --local")
	case f.local == 0 && (f.killBackupAt != 0 || f.killPrimaryAt != 0):
		return errors.New("--kill-backup-at and --kill-primary-at only apply to a cluster started with --local")
	case f.killBackupAt < 0 || f.killPrimaryAt < 0 || f.restartAfter <= 0:
		return errors.New("--kill-backup-at and --kill-primary-at must not be negative, --restart-after must be positive")
	case (f.killBackupAt > 0 || f.killPrimaryAt > 0) && f.local < 3:
		return errors.New("--kill-backup-at and --kill-primary-at need --local 3 or more")
	case (f.killBackupAt > 0 || f.killPrimaryAt > 0) && f.duration == 0:
		return errors.New("--kill-backup-at and --kill-primary-at need a --duration")
	case f.killBackupAt >= f.duration && f.killBackupAt > 0 || f.killPrimaryAt >= f.duration && f.killPrimaryAt > 0:
		return fmt.Errorf("--kill-backup-at and --kill-primary-at must fall within --duration %v", f.duration)
	case f.local == 0 && durability:
		return errors.New("--durable and --sync only apply to a cluster started with --local")
	case f.sync != "sync" && f.sync != "async":
		return fmt.Errorf("bad --sync %q: use sync or async", f.sync)
	case f.local == 0 && strings.TrimSpace(f.cluster) == "":
		return errors.New("nothing to benchmark: pass --cluster host:port,... (or set VR_CLUSTER) for a running cluster, or --local 3 to start one")
	}
	if f.local == 0 {
		_, err := splitCluster(f.cluster)
		return err
	}
	_, err := parseWitnesses(f.witnesses, f.local)
	return err
}

// flagNames rewrites loadgen's field names in an error as flag names.
func flagNames(msg string) string {
	return strings.NewReplacer(
		"clients must", "--clients must", "set a duration or an op count", "set --duration or --ops",
		"key size", "--key-size", "value size", "--value-size", "read ratio", "--read-ratio",
		"keys must", "--keys must", "distribution", "--distribution", "warmup", "--warmup",
		"\n", "; ",
	).Replace(msg)
}
