package procs

import (
	"context"
	"net"
	"time"
)

// FreeAddrs returns n distinct loopback addresses whose ports were free a
// moment ago (it binds port 0 n times, then releases the ports). Another
// process may take one before a server binds it; callers that care retry.
func FreeAddrs(n int) ([]string, error) {
	addrs := make([]string, n)
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		addrs[i] = ln.Addr().String()
	}
	return addrs, nil
}

// Poll calls check, then again every interval, until it reports done or
// an error, and returns that error; if ctx ends first it returns
// ctx.Err(). Bound the wait with a context deadline; check typically reads
// the replicas' status endpoints and tests a condition on them.
func Poll(ctx context.Context, interval time.Duration, check func() (done bool, err error)) error {
	for {
		if done, err := check(); done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
