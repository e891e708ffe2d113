package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/kv"
)

// clusterFlags are shared by the commands that talk to a cluster.
type clusterFlags struct {
	cluster   string
	clusterID uint64
	timeout   time.Duration
	readMode  string
	witnesses string
	tls       tlsFlags
}

func (f *clusterFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cluster, "cluster", "127.0.0.1:8000,127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003,127.0.0.1:8004",
		"replicas' host:port, comma-separated: any reachable member suffices, the client learns the configuration from it (env VR_CLUSTER)")
	cmd.Flags().Uint64Var(&f.clusterID, "cluster-id", 0, "the cluster's id (env VR_CLUSTER_ID)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 10*time.Second, "give up after this long (env VR_TIMEOUT)")
	cmd.Flags().StringVar(&f.readMode, "read-mode", string(client.ReadLease),
		"how reads are served: lease (linearizable, at the primary under its lease), log (linearizable, through the log) or stale (any replica; may be behind) (env VR_READ_MODE)")
	cmd.Flags().StringVar(&f.witnesses, "witnesses", "",
		"the cluster's witnesses, as given to its servers (optional: requests then skip them) (env VR_WITNESSES)")
	f.tls.register(cmd, "the client's")
}

// target is the cluster to dial: its addresses and, under TLS, the
// client's configuration.
func (f *clusterFlags) target() ([]string, *tls.Config, error) {
	addrs, err := splitAddrs(f.cluster)
	if err != nil {
		return nil, nil, usageError{err}
	}
	tlsCfg, err := f.tls.clientConfig(f.clusterID)
	if err != nil {
		return nil, nil, err
	}
	return addrs, tlsCfg, nil
}

// withClient dials the cluster and runs fn with a deadline.
func (f *clusterFlags) withClient(cmd *cobra.Command, fn func(ctx context.Context, c *client.Client) error) error {
	if err := bindEnv(cmd); err != nil {
		return usageError{err}
	}
	addrs, tlsCfg, err := f.target()
	if err != nil {
		return err
	}
	ws, err := parseWitnesses(f.witnesses, len(addrs))
	if err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()
	c, err := client.DialConfig(ctx, client.Config{Addrs: addrs, ClusterID: f.clusterID, Sessions: 1,
		ReadMode: client.ReadMode(f.readMode), TLS: tlsCfg, Witnesses: ws})
	if errors.Is(err, client.ErrBadConfig) {
		return usageError{err}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	defer c.Close()
	return fn(ctx, c)
}

// kvAction is one key-value command, its arguments already checked: it
// runs against a dialed client.
type kvAction func(ctx context.Context, w io.Writer, c *client.Client) error

// kvCommand builds a command that checks its arguments with prepare and
// only then dials the cluster and runs the action prepare returned: bad
// input never costs a connection, and exits 2.
func kvCommand(use, short string, args cobra.PositionalArgs,
	prepare func(cmd *cobra.Command, args []string) (kvAction, error), extra ...func(*cobra.Command)) *cobra.Command {
	var f clusterFlags
	cmd := &cobra.Command{
		Use: use, Short: short, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			act, err := prepare(cmd, args)
			if err != nil {
				return asUsage(err)
			}
			return f.withClient(cmd, func(ctx context.Context, c *client.Client) error {
				return act(ctx, cmd.OutOrStdout(), c)
			})
		},
	}
	f.register(cmd)
	for _, e := range extra {
		e(cmd)
	}
	return cmd
}

// asUsage marks an input error as a usage error (exit 2).
func asUsage(err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return usageError{err}
}

func exactArgs(n int) cobra.PositionalArgs {
	return rangeArgs(n, n)
}

func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			want := fmt.Sprint(lo)
			if hi > lo {
				want = fmt.Sprintf("%d to %d", lo, hi)
			}
			return usageError{fmt.Errorf("%s takes %s argument(s), got %d (usage: vr %s)", cmd.Name(), want, len(args), cmd.Use)}
		}
		return nil
	}
}

func init() {
	register(
		func() *cobra.Command {
			return kvCommand("get KEY", "Print the value of KEY (exit 1 if it does not exist)", exactArgs(1), prepareGet)
		},
		func() *cobra.Command {
			return kvCommand("put KEY [VALUE | -]",
				"Set KEY to VALUE (\"-\": read it from stdin; or --value-file) and print the new version",
				rangeArgs(1, 2), preparePut, registerValueFile)
		},
		func() *cobra.Command {
			return kvCommand("del KEY", "Delete KEY (exit 1 if it did not exist)", exactArgs(1), prepareDel)
		},
		func() *cobra.Command {
			return kvCommand("cas KEY EXPECTED-VERSION [VALUE | -]",
				"Set KEY to VALUE if its version is EXPECTED-VERSION (0: absent)", rangeArgs(2, 3), prepareCAS, registerValueFile)
		},
		newScanCmd,
	)
}

// check validates cmd against the store's default limits, as the client
// would after dialing.
func check(cmd kv.Command) error {
	if err := kv.DefaultLimits().Validate(cmd); err != nil {
		return usageError{err}
	}
	return nil
}

func prepareGet(_ *cobra.Command, args []string) (kvAction, error) {
	key := []byte(args[0])
	if err := check(kv.NewGet(key)); err != nil {
		return nil, err
	}
	return func(ctx context.Context, w io.Writer, c *client.Client) error {
		v, _, err := c.Get(ctx, key)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(v))
		return err
	}, nil
}

func preparePut(cmd *cobra.Command, args []string) (kvAction, error) {
	key := []byte(args[0])
	value, err := readValue(cmd, args[1:])
	if err != nil {
		return nil, err
	}
	if err := check(kv.NewPut(key, value)); err != nil {
		return nil, err
	}
	return func(ctx context.Context, w io.Writer, c *client.Client) error {
		ver, err := c.Put(ctx, key, value)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "OK version=%d\n", ver)
		return err
	}, nil
}

func prepareDel(_ *cobra.Command, args []string) (kvAction, error) {
	key := []byte(args[0])
	if err := check(kv.NewDelete(key)); err != nil {
		return nil, err
	}
	return func(ctx context.Context, w io.Writer, c *client.Client) error {
		found, err := c.Delete(ctx, key)
		if err != nil {
			return err
		}
		if !found {
			return client.ErrNotFound
		}
		_, err = fmt.Fprintln(w, "OK")
		return err
	}, nil
}

func prepareCAS(cmd *cobra.Command, args []string) (kvAction, error) {
	key := []byte(args[0])
	expected, err := strconv.ParseUint(args[1], 10, 64)
	if err != nil {
		return nil, usageError{fmt.Errorf("EXPECTED-VERSION %q is not a non-negative integer", args[1])}
	}
	value, err := readValue(cmd, args[2:])
	if err != nil {
		return nil, err
	}
	if err := check(kv.NewCAS(key, expected, value)); err != nil {
		return nil, err
	}
	return func(ctx context.Context, w io.Writer, c *client.Client) error {
		ver, err := c.CAS(ctx, key, expected, value)
		if err != nil {
			if ce, ok := err.(*client.CASError); ok {
				return fmt.Errorf("%w: current version is %d", client.ErrVersionMismatch, ce.Current)
			}
			return err
		}
		_, err = fmt.Fprintf(w, "OK version=%d\n", ver)
		return err
	}, nil
}

func newScanCmd() *cobra.Command {
	var f clusterFlags
	var prefix string
	var limit int
	cmd := &cobra.Command{
		Use:   "scan [START [END]]",
		Short: "List keys in [START, END) or with --prefix, in key order",
		Args:  cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if prefix != "" && len(args) > 0 {
				return usageError{fmt.Errorf("give either --prefix or START/END, not both")}
			}
			if err := check(scanCommand(cmd, args, prefix, limit)); err != nil {
				return err
			}
			return f.withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var items []client.Item
				var more bool
				var err error
				if cmd.Flags().Changed("prefix") {
					items, more, err = c.ScanPrefix(ctx, []byte(prefix), limit)
				} else {
					var start, end []byte
					if len(args) > 0 {
						start = []byte(args[0])
					}
					if len(args) > 1 {
						end = []byte(args[1])
					}
					items, more, err = c.Scan(ctx, start, end, limit)
				}
				if err != nil {
					return err
				}
				for _, it := range items {
					fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\tversion=%d\n", it.Key, it.Value, it.Version)
				}
				if more {
					fmt.Fprintln(cmd.ErrOrStderr(), "(more keys in range; raise --limit)")
				}
				return nil
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&prefix, "prefix", "", "list keys with this prefix")
	cmd.Flags().IntVar(&limit, "limit", 100, "most keys to list")
	return cmd
}

// scanCommand is the kv command a scan invocation stands for, to check it
// before dialing.
func scanCommand(cmd *cobra.Command, args []string, prefix string, limit int) kv.Command {
	if cmd.Flags().Changed("prefix") {
		return kv.NewScanPrefix([]byte(prefix), limit)
	}
	var start, end []byte
	if len(args) > 0 {
		start = []byte(args[0])
	}
	if len(args) > 1 {
		end = []byte(args[1])
	}
	return kv.NewScan(start, end, limit)
}
