package main

import (
	"fmt"
	"net"
	"strconv"
)

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
		var addrs []string
		for i := range f.replicas {
			addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(b+i), "127.0.0.1:"+strconv.Itoa(b+i+1000))
		}
		if firstBusy(addrs) == "" {
			return b
		}
	}
	return 0
}
