package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/message"
)

// vr server --join --standby: a joiner that asks the cluster to add it as
// a standby (the request vr reconfigure --add-standby ID=ADDR sends), when
// it is not a member yet, and then runs as any joiner. Without the admin
// secret, or under TLS (the request needs a client certificate with the
// admin role, which a replica does not hold), it prints the vr reconfigure
// command to run instead. The node stops with node.ErrRole if the
// configuration names it with another role.

// selfAddRetry is how long the joiner waits before asking again after a
// refusal that can pass (stale epoch, a move in progress, a member
// lagging) or an unreachable cluster.
const selfAddRetry = time.Second

// standbyRequest describes the request a standby joiner sends.
type standbyRequest struct {
	id        uint8
	addr      string   // the address peers and clients are given (--advertise, else --listen)
	peers     []string // members' addresses it knows
	clusterID uint64
	secret    []byte
}

// command is the vr reconfigure command that adds this joiner.
func (q standbyRequest) command(secretFile string) string {
	if secretFile == "" {
		secretFile = "ADMIN_SECRET_FILE"
	}
	return fmt.Sprintf("vr reconfigure --cluster %s --admin-secret-file %s --add-standby %d=%s",
		strings.Join(q.peers, ","), secretFile, q.id, q.addr)
}

// errNamed stops the self-add: the configuration names this id already.
var errNamed = errors.New("already a member")

// run asks until the cluster adds this joiner as a standby, it is named
// already, ctx ends, or a refusal that cannot pass (logged with its hint).
func (q standbyRequest) run(ctx context.Context, logger *slog.Logger) {
	for {
		err := q.once(ctx)
		var re *client.RefusedError
		switch {
		case err == nil:
			logger.Info("standby: the cluster added this replica as a standby", "id", q.id, "addr", q.addr)
			return
		case errors.Is(err, errNamed):
			logger.Info("standby: this replica is a member already; not asking to be added", "id", q.id, "detail", err.Error())
			return
		case ctx.Err() != nil:
			return
		case errors.As(err, &re) && !retryable(re.Reason):
			logger.Error("standby: the cluster refused to add this replica"+refusalHint(re.Reason), "id", q.id, "err", err)
			return
		}
		logger.Info("standby: asking to be added again", "id", q.id, "err", err, "in", selfAddRetry)
		select {
		case <-ctx.Done():
			return
		case <-time.After(selfAddRetry):
		}
	}
}

// retryable reports whether a refusal may pass if asked again later.
func retryable(r message.RefusalReason) bool {
	return r == message.RefuseStaleEpoch || r == message.RefuseInProgress || r == message.RefuseNewMajority ||
		r == message.RefuseStandbyLagging
}

// once asks the cluster, once, to add this joiner as a standby to the
// configuration it reports.
func (q standbyRequest) once(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.DialConfig(ctx, client.Config{Addrs: q.peers, ClusterID: q.clusterID, Sessions: 1})
	if err != nil {
		return err
	}
	defer c.Close()
	epoch, _, cur := c.Config()
	next, err := withStandby(cur, q.id, q.addr)
	if err != nil {
		return err
	}
	return c.Reconfigure(ctx, q.secret, epoch, next)
}

// withStandby is cur with the standby id at addr added; errNamed if cur
// names id already.
func withStandby(cur []message.Member, id uint8, addr string) ([]message.Member, error) {
	if i := slices.IndexFunc(cur, func(m message.Member) bool { return m.ID == id }); i >= 0 {
		return nil, fmt.Errorf("%w: the configuration names id %d a %s", errNamed, id, roleName(cur[i].Role))
	}
	return append(slices.Clone(cur), message.Member{ID: id, Role: roleStandby, Addr: addr}), nil
}

// standbyPeers are the addresses of the members a joiner knows (its
// --cluster), without its own.
func standbyPeers(peers []string, id int) []string {
	var as []string
	for i, a := range peers {
		if a != "" && i != id {
			as = append(as, a)
		}
	}
	return as
}

// startStandby starts asking the cluster to add this joiner, or prints the
// command that does.
func startStandby(ctx context.Context, f serverFlags, peers []string, secret []byte, tlsOn bool, logger *slog.Logger) {
	q := standbyRequest{id: uint8(f.id), addr: f.advertised(), peers: standbyPeers(peers, f.id), clusterID: f.clusterID, secret: secret}
	switch {
	case tlsOn:
		logger.Warn("standby: under TLS a reconfiguration needs an admin client certificate; add this replica with: " +
			q.command(f.adminSecretFile) + " (with --tls-cert/--tls-key/--tls-ca of an admin client)")
	case len(secret) == 0:
		logger.Warn("standby: no --admin-secret-file, so this replica cannot ask to be added; add it with: " + q.command(""))
	default:
		logger.Info("standby: asking the cluster to add this replica as a standby", "id", q.id, "addr", q.addr,
			"members", strconv.Itoa(len(q.peers)))
		go q.run(ctx, logger)
	}
}
