package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// bindEnv lets every flag of cmd that was not given on the command line be
// set from the environment variable VR_<FLAG> (dashes become underscores).
func bindEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := envName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("environment %s=%q: %v", name, v, e)
			}
		}
	})
	return err
}

func envName(flag string) string {
	return "VR_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// splitCluster parses a comma-separated list of host:port addresses.
func splitCluster(s string) ([]string, error) {
	addrs, err := splitAddrs(s)
	if err != nil {
		return nil, err
	}
	if len(addrs)%2 == 0 {
		return nil, fmt.Errorf("%d addresses: a cluster has 2f+1 replicas (1, 3, 5, ...)", len(addrs))
	}
	return addrs, nil
}

// splitAddrs parses a comma-separated list of host:port, any number of
// them: addresses of some replicas, from which clients discover the rest.
func splitAddrs(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("no cluster addresses: pass --cluster host:port,host:port,... or set VR_CLUSTER")
	}
	var addrs []string
	for _, a := range strings.Split(s, ",") {
		a = strings.TrimSpace(a)
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			return nil, fmt.Errorf("bad address %q: %v", a, err)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("bad address %q: port must be 1-65535", a)
		}
		if host == "" {
			return nil, fmt.Errorf("bad address %q: missing host", a)
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// statusAddrOf derives a replica's status address: same host, port + 1000.
func statusAddrOf(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p+1000 > 65535 {
		return "", fmt.Errorf("no status port for %q (port+1000 is out of range); pass --status-addr", addr)
	}
	return net.JoinHostPort(host, strconv.Itoa(p+1000)), nil
}
