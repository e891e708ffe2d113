package client

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/vr-go/vr/kv"
)

// Config configures a Client. Zero fields take defaults.
type Config struct {
	// Addrs are addresses of replicas of the cluster: one reachable
	// member suffices, the client learns the configuration (members, their
	// addresses, the primary) from the replicas (topology.go). Only if no
	// replica answers a configuration query are they taken as epoch 0's
	// configuration, in order (the order the servers were given).
	Addrs []string
	// Static takes Addrs as the cluster's configuration of epoch 0, in
	// order, and never asks the replicas for theirs: for a client that
	// reaches the replicas through relays or address translation, which
	// the replicas' own addresses would bypass. Such a client does not
	// follow reconfigurations.
	Static bool
	// ClusterID must match the servers'.
	ClusterID uint64
	// Sessions bounds the client sessions, hence the concurrent requests
	// (calls beyond it wait for a free session). Sessions are created and
	// registered in the cluster's client table only as concurrent calls
	// need them: a client making one call at a time uses one. Default 16.
	Sessions int
	// RetryInterval is how long an unanswered request waits before it is
	// sent again. Default 200ms.
	RetryInterval time.Duration
	// BroadcastAfter is how many unanswered retries go to the believed
	// primary before the request goes to every replica. Default 2.
	BroadcastAfter int
	// DialTimeout bounds one connection attempt. Default 1s.
	DialTimeout time.Duration
	// Limits are checked before a request is sent. Default kv.DefaultLimits.
	Limits kv.Limits
	// ReadMode says how Get, Scan and ScanPrefix are served. Default
	// ReadLease.
	ReadMode ReadMode
	// Coalesce packs concurrent writes (Put, Delete, CAS) into batches, at
	// most Coalesce of them in flight at once (see coalesce.go): fewer,
	// larger requests. Default 1, which measured best (docs/benchmarks.md);
	// negative sends every write alone. At most Sessions.
	Coalesce int
	// Witnesses are the indexes (into Addrs) of the cluster's witnesses,
	// as given to the servers' --witnesses, used only when no replica
	// answers a configuration query (the replicas' answer names the
	// roles).
	Witnesses []int
	// TLS, if set, dials every replica with it: for a cluster under
	// mutual TLS, a configuration that presents the client's certificate
	// (whose role, read, write or admin, says what the client may do) and
	// verifies the replicas' (auth.Source.DialConfig builds one from PEM
	// files). Nil: plaintext.
	TLS    *tls.Config
	Logger *slog.Logger
}

// ReadMode says how reads are served.
type ReadMode string

const (
	// ReadLease (the default): the primary answers a read alone while it
	// holds a read lease from f backups (paper §6.3), and through the log
	// otherwise. Linearizable as long as no replica's clock drifts beyond
	// the servers' --max-clock-drift.
	ReadLease ReadMode = "lease"
	// ReadLog puts every read through the log like a write: linearizable
	// with no assumption about clocks, at the cost of a round of messages.
	ReadLog ReadMode = "log"
	// ReadStale lets any replica answer from its own state, spreading
	// reads over every replica. A read may miss recent writes, even the
	// caller's own.
	ReadStale ReadMode = "stale"
)

// tick is the proxy's logical tick; RetryInterval is a whole number of them.
const tick = 10 * time.Millisecond

func (c Config) withDefaults() Config {
	if c.Sessions == 0 {
		c.Sessions = 16
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = 200 * time.Millisecond
	}
	if c.BroadcastAfter == 0 {
		c.BroadcastAfter = 2
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = time.Second
	}
	if c.Limits == (kv.Limits{}) {
		c.Limits = kv.DefaultLimits()
	}
	if c.ReadMode == "" {
		c.ReadMode = ReadLease
	}
	if c.Coalesce == 0 {
		c.Coalesce = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() error {
	n := len(c.Addrs)
	switch {
	case n == 0 || n > 255:
		return fmt.Errorf("%w: %d addresses: give 1 to 255 replicas' addresses", ErrBadConfig, n)
	case c.Static && n%2 == 0:
		return fmt.Errorf("%w: %d addresses is not 2f+1", ErrBadConfig, n)
	}
	for _, a := range c.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("%w: address %q: %v", ErrBadConfig, a, err)
		}
	}
	if c.Coalesce > c.Sessions {
		return fmt.Errorf("%w: coalesce %d above sessions %d", ErrBadConfig, c.Coalesce, c.Sessions)
	}
	if c.Sessions < 1 || c.RetryInterval < tick {
		return fmt.Errorf("%w: need sessions >= 1 and retry interval >= %v", ErrBadConfig, tick)
	}
	switch c.ReadMode {
	case ReadLease, ReadLog, ReadStale:
	default:
		return fmt.Errorf("%w: read mode %q: use %q, %q or %q", ErrBadConfig, c.ReadMode, ReadLease, ReadLog, ReadStale)
	}
	return nil
}
