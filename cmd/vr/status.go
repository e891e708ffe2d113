package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vr-go/vr/node"
)

func init() { register(newStatusCmd) }

func newStatusCmd() *cobra.Command {
	var f clusterFlags
	var statusAddrs string
	var watch time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a table of every replica's protocol state",
		Long: `status asks every replica's HTTP status endpoint (by default the replica's
host with port+1000) and prints the configuration (epoch, members, whether
a reconfiguration is under way), then view, status, primary, op-number,
commit-number and state digest of each replica. Members of the newest
configuration that --cluster does not name are asked too. With --watch it
refreshes until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return usageError{err}
			}
			addrs, err := splitAddrs(f.cluster)
			if err != nil {
				return usageError{err}
			}
			if _, err := statusEndpoints(addrs, statusAddrs); err != nil {
				return usageError{err}
			}
			for {
				ctx, cancel := context.WithTimeout(cmd.Context(), min(f.timeout, 2*time.Second))
				all, rows := fetchWithMembers(ctx, addrs, statusAddrs)
				cancel()
				printConfig(cmd.OutOrStdout(), rows)
				printStatus(cmd.OutOrStdout(), all, rows)
				if watch == 0 {
					return nil
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(watch):
					fmt.Fprintln(cmd.OutOrStdout())
				}
			}
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&statusAddrs, "status-addrs", "", "status endpoints host:port, comma-separated (default: each replica's port+1000)")
	cmd.Flags().DurationVar(&watch, "watch", 0, "refresh every interval (for example 1s)")
	return cmd
}

func statusEndpoints(addrs []string, explicit string) ([]string, error) {
	if explicit != "" {
		eps := strings.Split(explicit, ",")
		if len(eps) != len(addrs) {
			return nil, fmt.Errorf("--status-addrs has %d entries for %d replicas", len(eps), len(addrs))
		}
		return eps, nil
	}
	var eps []string
	for _, a := range addrs {
		sa, err := statusAddrOf(a)
		if err != nil {
			return nil, err
		}
		eps = append(eps, sa)
	}
	return eps, nil
}

// fetchWithMembers reads the status of addrs and then of every member of
// the newest configuration they report that addrs do not name (when the
// status addresses are the default port+1000).
func fetchWithMembers(ctx context.Context, addrs []string, explicit string) ([]string, []statusRow) {
	eps, _ := statusEndpoints(addrs, explicit)
	rows := fetchAll(ctx, eps)
	if explicit != "" {
		return addrs, rows
	}
	var extra []string
	for _, m := range newestConfig(rows).Members {
		if m.Addr != "" && !slices.Contains(addrs, m.Addr) {
			extra = append(extra, m.Addr)
		}
	}
	if len(extra) == 0 {
		return addrs, rows
	}
	more, err := statusEndpoints(extra, "")
	if err != nil {
		return addrs, rows
	}
	return append(slices.Clone(addrs), extra...), append(rows, fetchAll(ctx, more)...)
}

// newestConfig is the status of the replica in the newest epoch with a
// configuration (a primary's first, for Transitioning).
func newestConfig(rows []statusRow) node.Status {
	var best node.Status
	found := false
	for _, r := range rows {
		s := r.status
		if r.err != nil || len(s.Members) == 0 {
			continue
		}
		if !found || s.Epoch > best.Epoch || s.Epoch == best.Epoch && s.IsPrimary {
			best, found = s, true
		}
	}
	return best
}

// printConfig prints the newest configuration the replicas report.
func printConfig(w io.Writer, rows []statusRow) {
	s := newestConfig(rows)
	if len(s.Members) == 0 {
		fmt.Fprintln(w, "configuration: unknown (no replica answered)")
		return
	}
	parts := make([]string, len(s.Members))
	for i, m := range s.Members {
		parts[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
		if m.Role != "full" {
			parts[i] += "(" + m.Role + ")"
		}
	}
	tr := "no"
	if s.Transitioning {
		tr = "yes (a reconfiguration is committing; the primary accepts no request)"
	}
	fmt.Fprintf(w, "epoch %d  configuration %s  transitioning %s\n", s.Epoch, strings.Join(parts, " "), tr)
}

// statusRow is one replica's status or why it could not be read.
type statusRow struct {
	status node.Status
	err    error
}

// fetchAll reads every endpoint in parallel.
func fetchAll(ctx context.Context, endpoints []string) []statusRow {
	rows := make([]statusRow, len(endpoints))
	done := make(chan struct{}, len(endpoints))
	for i, ep := range endpoints {
		go func() {
			rows[i].status, rows[i].err = fetchStatus(ctx, ep)
			done <- struct{}{}
		}()
	}
	for range endpoints {
		<-done
	}
	return rows
}

// fetchStatus reads one replica's status endpoint.
func fetchStatus(ctx context.Context, endpoint string) (node.Status, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+endpoint+"/status", nil)
	if err != nil {
		return node.Status{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return node.Status{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return node.Status{}, fmt.Errorf("status endpoint %s: %s", endpoint, resp.Status)
	}
	var s node.Status
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&s); err != nil {
		return node.Status{}, fmt.Errorf("status endpoint %s: %v", endpoint, err)
	}
	return s, nil
}

func printStatus(w io.Writer, addrs []string, rows []statusRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tADDRESS\tEPOCH\tSTATUS\tROLE\tVIEW\tPRIMARY\tOP\tCOMMIT\tLAST-NORMAL-VIEW\tCHECKPOINT\tKEYS\tDIGEST")
	for i, r := range rows {
		if r.err != nil {
			fmt.Fprintf(tw, "-\t%s\t-\tdown\t-\t-\t-\t-\t-\t-\t-\t-\t-\n", addrs[i])
			continue
		}
		s := r.status
		role := "backup"
		if s.Role == "witness" || s.Role == "standby" {
			role = s.Role
		}
		if s.IsPrimary {
			role = "primary"
		}
		if s.Status != "normal" {
			role = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", s.ID, addrs[i], s.Epoch, s.Status, role,
			s.View, primaryCell(s), s.OpNumber, s.CommitNumber, s.LastNormalView, checkpointCell(s), keysCell(s), digestCell(s))
	}
	tw.Flush()
}

// primaryCell names the primary of the replica's view by id.
func primaryCell(s node.Status) string {
	if s.Primary >= 0 && s.Primary < len(s.Members) {
		return strconv.Itoa(s.Members[s.Primary].ID)
	}
	return strconv.Itoa(s.Primary)
}

// keysCell is the replica's key count, or what its state takes on disk
// when it does not count its keys (the pebble engine).
func keysCell(s node.Status) string {
	switch {
	case !s.KeysUnknown:
		return strconv.Itoa(s.Keys)
	case s.StateDiskBytes > 0:
		return fmt.Sprintf("? (%.1f MiB on disk)", float64(s.StateDiskBytes)/(1<<20))
	}
	return "?"
}

// digestCell is the replica's state digest, or "?" when its state
// machine keeps none.
func digestCell(s node.Status) string {
	if s.KeysUnknown {
		return "?"
	}
	return fmt.Sprintf("%016x", s.Digest)
}

// checkpointCell shows a replica's newest checkpoint, or that it is still
// fetching the state below its log.
func checkpointCell(s node.Status) string {
	switch {
	case s.Role == "witness":
		return fmt.Sprintf("none (witness; log after %d)", s.LogBase)
	case s.Executed < s.LogBase:
		return fmt.Sprintf("fetching (log after %d; no state: counts against f)", s.LogBase)
	case s.CheckpointOp == 0:
		return "-"
	}
	return fmt.Sprint(s.CheckpointOp)
}
