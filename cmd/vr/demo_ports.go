package main

import (
	"fmt"
	"net"
	"strconv"
)

// demoAddrs are the addresses of n replicas from port base on, and of
// their status endpoints (port+1000).
func demoAddrs(base, n int) (addrs, status []string) {
	for i := range n {
		addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(base+i)))
		status = append(status, net.JoinHostPort("127.0.0.1", strconv.Itoa(base+i+1000)))
	}
	return addrs, status
}

// checkPorts fails with a clear message if a replica or status port is
// already taken, suggesting a --base-port whose ports are all free.
func checkPorts(addrs, status []string, f demoFlags) error {
	busy := firstBusy(append(append([]string{}, addrs...), status...))
	if busy == "" {
		return nil
	}
	hint := "pick other ports with --base-port"
	if b := freeBase(f); b > 0 {
		hint = fmt.Sprintf("pick other ports with --base-port, for example: vr demo --base-port %d", b)
	}
	return fmt.Errorf("port %s is busy (the demo needs ports %d-%d and %d-%d on 127.0.0.1); %s",
		busy, f.basePort, f.basePort+f.replicas-1, f.basePort+1000, f.basePort+f.replicas-1+1000, hint)
}

// firstBusy returns the port of the first address that cannot be bound.
func firstBusy(addrs []string) string {
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			_, p, _ := net.SplitHostPort(a)
			return p
		}
		ln.Close()
	}
	return ""
}

// freeBase looks for a nearby base port whose ports are all free; 0 if none.
func freeBase(f demoFlags) int {
	for b := f.basePort + 100; b+f.replicas-1+1000 <= 65535 && b < f.basePort+3000; b += 100 {
		addrs, status := demoAddrs(b, f.replicas)
		if firstBusy(append(addrs, status...)) == "" {
			return b
		}
	}
	return 0
}
