package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/message"
)

func init() { register(newReconfigureCmd) }

// reconfigureFlags are vr reconfigure's own flags.
type reconfigureFlags struct {
	plan       memberPlan
	epoch      int64
	secretFile string
	check      bool
	wait       time.Duration
}

// memberPlan is what a reconfiguration changes: members added as full
// replicas or as standbys, standbys promoted to full replicas, members
// removed (ids or id=host:port as the flags give them).
type memberPlan struct {
	adds, standbys, witnesses, promotes, demotes, moves, removes []string
}

func (p memberPlan) empty() bool {
	return len(p.adds)+len(p.standbys)+len(p.witnesses)+len(p.promotes)+len(p.demotes)+len(p.moves)+len(p.removes) == 0
}

func newReconfigureCmd() *cobra.Command {
	var f clusterFlags
	var r reconfigureFlags
	cmd := &cobra.Command{
		Use:   "reconfigure",
		Short: "Add or remove replicas (a reconfiguration: a new epoch)",
		Long: `reconfigure changes the cluster's configuration (VR Revisited §7): it adds
members (--add ID=host:port, a replica started with vr server --join --id ID
--listen host:port), adds standbys (--add-standby ID=host:port: a joiner
that follows the log and the state but votes nowhere and is never primary),
adds witnesses (--add-witness ID=host:port: a joiner started with vr server
--join --witness, which holds the log but no state and is never primary; at
most f' of the 2f'+1 voting members), promotes standbys to full replicas (--promote ID: nearly instant, since a
standby already holds the state), demotes full replicas to standbys
(--demote ID: the replica keeps its state and stops voting; the primary
too, the new epoch's primary is then another full replica), moves members
to new addresses (--move ID=host:port: the same replica, id, role and data,
restarted with --listen on the new address; peers and clients learn it from
the new configuration) and removes members (--remove ID). The
cluster moves to a new epoch; removed replicas exit once the new
configuration holds the state. It is a check-and-set on the current epoch
(--epoch, default the epoch the cluster reports), and it needs the
cluster's admin secret (--admin-secret-file, the file given to every vr
server).

It prints the new epoch and configuration. Ids are never reused: a removed
replica's id cannot be given to another one.

With --check it changes nothing: it asks the members of the newest
configuration (their status endpoints, port+1000) whether the last move
finished — f'+1 voting members started the epoch and no reconfiguration is
under way — and lists the members still catching up. Exit status 0 when it
finished, 1 when not; --wait keeps asking until it finished or the time is
up. Check before you retire the machines of removed members.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			if r.check {
				if !r.plan.empty() {
					return usageError{errors.New("--check changes nothing: give it without --add, --add-standby, --add-witness, --promote, --demote, --move or --remove")}
				}
				return runCheck(cmd.Context(), cmd.OutOrStdout(), f, r.wait)
			}
			if r.plan.empty() {
				return usageError{errors.New("nothing to do: give --add ID=host:port, --add-standby ID=host:port, --add-witness ID=host:port, --promote ID, --demote ID, --move ID=host:port and/or --remove ID (or --check)")}
			}
			if r.secretFile == "" {
				return usageError{errors.New("--admin-secret-file is required: reconfigurations need the cluster's admin secret")}
			}
			secret, err := auth.LoadAdminSecret(r.secretFile)
			if err != nil {
				return usageError{err}
			}
			return f.withClient(cmd, func(ctx context.Context, c *client.Client) error {
				return runReconfigure(ctx, cmd.OutOrStdout(), c, r, secret)
			})
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringSliceVar(&r.plan.adds, "add", nil, "add a full replica: ID=host:port (repeat or comma-separate)")
	fl.StringSliceVar(&r.plan.standbys, "add-standby", nil, "add a standby (non-voting, never primary): ID=host:port")
	fl.StringSliceVar(&r.plan.witnesses, "add-witness", nil, "add a witness (log only, never primary; started with vr server --join --witness): ID=host:port")
	fl.StringSliceVar(&r.plan.promotes, "promote", nil, "promote the standby with this id to a full replica")
	fl.StringSliceVar(&r.plan.demotes, "demote", nil, "demote the full replica with this id to a standby (it keeps its state, stops voting)")
	fl.StringSliceVar(&r.plan.moves, "move", nil, "give the member with this id a new address (same replica, role and data; restart it with --listen there): ID=host:port")
	fl.StringSliceVar(&r.plan.removes, "remove", nil, "remove the member with this id (repeat or comma-separate)")
	fl.BoolVar(&r.check, "check", false, "change nothing: report whether the last reconfiguration finished (exit 0) or not (exit 1)")
	fl.DurationVar(&r.wait, "wait", 0, "with --check: keep asking until the move finished or this time is up")
	fl.Int64Var(&r.epoch, "epoch", -1, "the epoch to move from (check-and-set; default: the cluster's current epoch)")
	fl.StringVar(&r.secretFile, "admin-secret-file", "", "file holding the cluster's admin secret (env VR_ADMIN_SECRET_FILE)")
	return cmd
}

// runReconfigure computes the new configuration from the one the client
// learned, asks for it and prints the result.
func runReconfigure(ctx context.Context, w io.Writer, c *client.Client, r reconfigureFlags, secret []byte) error {
	epoch, _, cur := c.Config()
	if r.epoch >= 0 {
		epoch = uint64(r.epoch)
	}
	next, err := nextMembers(cur, r.plan)
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(w, "epoch %d: %s\n", epoch, describeConfig(cur))
	fmt.Fprintf(w, "asking for epoch %d: %s\n", epoch+1, describeConfig(next))
	if err := c.Reconfigure(ctx, secret, epoch, next); err != nil {
		var re *client.RefusedError
		if errors.As(err, &re) {
			return fmt.Errorf("%w%s", err, refusalHint(re.Reason))
		}
		return err
	}
	for {
		if c.Refresh(ctx) {
			if e, _, ms := c.Config(); e > epoch {
				fmt.Fprintf(w, "epoch %d: %s\n", e, describeConfig(ms))
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: the reconfiguration executed, but no replica reported epoch %d yet", errUnavailable, epoch+1)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Member roles on the wire (core.Role).
const (
	roleFull    = 1
	roleWitness = 2
	roleStandby = 3
)

// nextMembers is cur without the removed ids and with the promoted
// standbys made full, then the added full replicas and standbys, in that
// order.
func nextMembers(cur []message.Member, p memberPlan) ([]message.Member, error) {
	next := slices.Clone(cur)
	for _, s := range p.removes {
		id, err := parseID(s)
		if err != nil {
			return nil, fmt.Errorf("bad --remove %q: %w", s, err)
		}
		i := slices.IndexFunc(next, func(m message.Member) bool { return m.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("--remove %d: no member has id %d (members: %s)", id, id, describeConfig(cur))
		}
		next = slices.Delete(next, i, i+1)
	}
	for _, s := range p.promotes {
		if err := changeRole(next, "--promote", s, roleStandby, roleFull); err != nil {
			return nil, err
		}
	}
	for _, s := range p.demotes {
		if err := changeRole(next, "--demote", s, roleFull, roleStandby); err != nil {
			return nil, err
		}
	}
	for _, s := range p.moves {
		if err := move(next, s); err != nil {
			return nil, err
		}
	}
	for _, add := range []struct {
		flag  string
		items []string
		role  uint8
	}{{"--add", p.adds, roleFull}, {"--add-standby", p.standbys, roleStandby}, {"--add-witness", p.witnesses, roleWitness}} {
		for _, s := range add.items {
			m, err := parseNewMember(add.flag, s, add.role, cur, next)
			if err != nil {
				return nil, err
			}
			next = append(next, m)
		}
	}
	return next, checkWitnesses(next)
}

// checkWitnesses refuses a configuration with more than f' witnesses among
// its voting members (the primary would refuse it too): a quorum of f'+1
// could then hold no full replica.
func checkWitnesses(ms []message.Member) error {
	voters, witnesses := 0, 0
	for _, m := range ms {
		switch m.Role {
		case roleWitness:
			witnesses++
			voters++
		case roleFull:
			voters++
		}
	}
	if f := (voters - 1) / 2; witnesses > f {
		return fmt.Errorf("%d witnesses among %d voting members: at most f' = %d (every quorum of f'+1 must hold a full replica)",
			witnesses, voters, f)
	}
	return nil
}

// changeRole makes the member named by s (an id), which must have role
// from, a member of role to in next: a standby promoted to a full replica,
// or a full replica demoted to a standby (the only role changes in place).
func changeRole(next []message.Member, flag, s string, from, to uint8) error {
	id, err := parseID(s)
	if err != nil {
		return fmt.Errorf("bad %s %q: %w", flag, s, err)
	}
	i := slices.IndexFunc(next, func(m message.Member) bool { return m.ID == id })
	switch {
	case i < 0:
		return fmt.Errorf("%s %d: no member has id %d (or it is removed too)", flag, id, id)
	case next[i].Role != from:
		return fmt.Errorf("%s %d: member %d is a %s, not a %s (only a standby is promoted, only a full replica demoted)",
			flag, id, id, roleName(next[i].Role), roleName(from))
	}
	next[i].Role = to
	return nil
}

// move gives the member named by s (ID=host:port) its new address in
// next: its id, role and data stay (docs/operations.md, "Moving a member").
func move(next []message.Member, s string) error {
	idStr, addr, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("bad --move %q: want ID=host:port", s)
	}
	id, err := parseID(idStr)
	if err != nil {
		return fmt.Errorf("bad --move %q: %w", s, err)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil || len(addr) > message.MaxAddrLen {
		return fmt.Errorf("bad --move %q: address %q is not host:port", s, addr)
	}
	i := slices.IndexFunc(next, func(m message.Member) bool { return m.ID == id })
	switch {
	case i < 0:
		return fmt.Errorf("--move %d: no member has id %d (or it is removed too)", id, id)
	case next[i].Addr == addr:
		return fmt.Errorf("--move %d: member %d is at %s already", id, id, addr)
	case slices.ContainsFunc(next, func(m message.Member) bool { return m.Addr == addr }):
		return fmt.Errorf("--move %q: another member is at %s", s, addr)
	}
	next[i].Addr = addr
	return nil
}

func roleName(r uint8) string {
	switch r {
	case roleFull:
		return "full replica"
	case roleWitness:
		return "witness"
	case roleStandby:
		return "standby"
	}
	return fmt.Sprintf("role %d", r)
}

// parseNewMember parses a new member ID=host:port given to flag.
func parseNewMember(flag, s string, role uint8, cur, next []message.Member) (message.Member, error) {
	idStr, addr, ok := strings.Cut(s, "=")
	if !ok {
		return message.Member{}, fmt.Errorf("bad %s %q: want ID=host:port", flag, s)
	}
	id, err := parseID(idStr)
	if err != nil {
		return message.Member{}, fmt.Errorf("bad %s %q: %w", flag, s, err)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil || len(addr) > message.MaxAddrLen {
		return message.Member{}, fmt.Errorf("bad %s %q: address %q is not host:port", flag, s, addr)
	}
	if slices.ContainsFunc(cur, func(m message.Member) bool { return m.ID == id }) {
		return message.Member{}, fmt.Errorf("%s %d: id %d is a member already (ids are never reused: give a new replica a new id)", flag, id, id)
	}
	if slices.ContainsFunc(next, func(m message.Member) bool { return m.ID == id || m.Addr == addr }) {
		return message.Member{}, fmt.Errorf("%s %q: the id or the address is given twice", flag, s)
	}
	return message.Member{ID: id, Role: role, Addr: addr}, nil
}

func parseID(s string) (uint8, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n >= message.MaxMembers {
		return 0, fmt.Errorf("an id is 0..%d", message.MaxMembers-1)
	}
	return uint8(n), nil
}

// describeConfig formats members as "id=addr ..." (witnesses marked).
func describeConfig(ms []message.Member) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
		switch m.Role {
		case roleWitness:
			parts[i] += "(witness)"
		case roleStandby:
			parts[i] += "(standby)"
		}
	}
	return strings.Join(parts, " ")
}

// refusalHint says what to do about a refusal.
func refusalHint(r message.RefusalReason) string {
	switch r {
	case message.RefuseStaleEpoch:
		return ": another reconfiguration happened first; check vr status and try again"
	case message.RefuseTooSmall:
		return ": a configuration needs at least 3 members"
	case message.RefuseInvalid:
		return ": a configuration needs an odd number (2f+1) of members, distinct ids, at most f witnesses"
	case message.RefuseUnchanged:
		return ": the configuration asked for is the current one"
	case message.RefuseInProgress:
		return ": wait until the reconfiguration under way finished (vr status: transitioning) and try again"
	case message.RefuseReusedID:
		return ": ids are never reused; give the new replica an id above every id the cluster ever had"
	case message.RefuseUnauthorized:
		return ": the replicas need --admin-secret-file with the same secret as --admin-secret-file here"
	case message.RefuseNewMajority:
		return ": add the new members with --add-standby first, then --promote them (with the --remove) once they hold the state"
	case message.RefuseTooManyWitnesses:
		return ": at most f' of the 2f'+1 voting members may be witnesses"
	case message.RefuseStandbyLagging:
		return ": a standby to promote lags by more than a checkpoint; let it catch up (vr status) and try again"
	}
	return ""
}
