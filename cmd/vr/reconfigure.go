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
	adds, removes []string
	epoch         int64
	secretFile    string
}

func newReconfigureCmd() *cobra.Command {
	var f clusterFlags
	var r reconfigureFlags
	cmd := &cobra.Command{
		Use:   "reconfigure",
		Short: "Add or remove replicas (a reconfiguration: a new epoch)",
		Long: `reconfigure changes the cluster's configuration (VR Revisited §7): it adds
members (--add ID=host:port, a replica started with vr server --join --id ID
--listen host:port) and removes members (--remove ID). The cluster moves to
a new epoch; removed replicas exit once the new configuration holds the
state. It is a check-and-set on the current epoch (--epoch, default the
epoch the cluster reports), and it needs the cluster's admin secret
(--admin-secret-file, the file given to every vr server).

It prints the new epoch and configuration. Ids are never reused: a removed
replica's id cannot be given to another one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			if len(r.adds) == 0 && len(r.removes) == 0 {
				return usageError{errors.New("nothing to do: give --add ID=host:port and/or --remove ID")}
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
	fl.StringSliceVar(&r.adds, "add", nil, "add a member: ID=host:port (repeat or comma-separate)")
	fl.StringSliceVar(&r.removes, "remove", nil, "remove the member with this id (repeat or comma-separate)")
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
	next, err := nextMembers(cur, r.adds, r.removes)
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

// nextMembers is cur without the removed ids, then the added members (full
// replicas), in that order.
func nextMembers(cur []message.Member, adds, removes []string) ([]message.Member, error) {
	next := slices.Clone(cur)
	for _, s := range removes {
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
	for _, s := range adds {
		idStr, addr, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("bad --add %q: want ID=host:port", s)
		}
		id, err := parseID(idStr)
		if err != nil {
			return nil, fmt.Errorf("bad --add %q: %w", s, err)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil || len(addr) > message.MaxAddrLen {
			return nil, fmt.Errorf("bad --add %q: address %q is not host:port", s, addr)
		}
		if slices.ContainsFunc(cur, func(m message.Member) bool { return m.ID == id }) {
			return nil, fmt.Errorf("--add %d: id %d is a member already (ids are never reused: give a new replica a new id)", id, id)
		}
		if slices.ContainsFunc(next, func(m message.Member) bool { return m.ID == id || m.Addr == addr }) {
			return nil, fmt.Errorf("--add %q: the id or the address is given twice", s)
		}
		next = append(next, message.Member{ID: id, Role: 1, Addr: addr})
	}
	return next, nil
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
		if m.Role == 2 {
			parts[i] += "(witness)"
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
	}
	return ""
}
