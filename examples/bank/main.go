// Command bank replicates a state machine of its own, a bank ledger
// (ledger.go), with VR on three local processes. It opens accounts, runs
// concurrent transfers, SIGKILLs a replica halfway and restarts it (it
// recovers from its peers), then checks that no money was created or lost
// and no account was overdrawn.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/vr-go/vr/client"
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/node"
)

func main() {
	if spec := os.Getenv("BANK_REPLICA"); spec != "" { // "index addr0 addr1 addr2"
		os.Exit(serveReplica(strings.Fields(spec), os.Getenv("BANK_NEW") != ""))
	}
	if err := run(os.Args[0]); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("PASS: every transfer accounted for, no account overdrawn")
}

func serveReplica(spec []string, newCluster bool) int {
	var idx int
	fmt.Sscan(spec[0], &idx)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	n, err := node.New(node.Config{Index: idx, Peers: spec[1:], NewCluster: newCluster,
		NewStateMachine: func() core.StateMachine { return newLedger() },
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil {
		err = n.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replica:", err)
		return 1
	}
	return 0
}

func run(self string) error {
	addrs, err := freeAddrs(3)
	if err != nil {
		return err
	}
	procs := []*exec.Cmd{start(self, 0, addrs, true), start(self, 1, addrs, true), start(self, 2, addrs, true)}
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl, err := client.DialConfig(ctx, client.Config{Addrs: addrs})
	for err != nil && ctx.Err() == nil { // the replicas are still starting
		time.Sleep(50 * time.Millisecond)
		cl, err = client.DialConfig(ctx, client.Config{Addrs: addrs})
	}
	if err != nil {
		return err
	}
	defer cl.Close()
	accounts := []string{"alice", "bob", "carol", "dave", "erin"}
	for _, a := range accounts {
		if res, err := cl.Do(ctx, []byte("open "+a+" 100")); err != nil || string(res) != "ok" {
			return fmt.Errorf("open %s: %q %v", a, res, err)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	done, refused := 0, 0
	for w := range 4 {
		wg.Go(func() {
			for k := range 50 {
				if w == 0 && k == 25 { // halfway: replica 0 (the first primary) crashes
					procs[0].Process.Kill()
					procs[0].Wait()
					procs[0] = start(self, 0, addrs, false)
				}
				from, to := accounts[rand.IntN(5)], accounts[rand.IntN(5)]
				res, e := cl.Do(ctx, fmt.Appendf(nil, "transfer %s %s %d", from, to, 1+rand.IntN(60)))
				mu.Lock()
				switch {
				case e != nil:
					err = fmt.Errorf("transfer: %w", e)
				case string(res) == "ok":
					done++
				default:
					refused++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err != nil {
		return err
	}
	var sum int64
	for _, a := range accounts {
		var b int64
		res, err := cl.Query(ctx, []byte("balance "+a)) // under the primary's read lease
		if _, e := fmt.Sscan(string(res), &b); err != nil || e != nil || b < 0 {
			return fmt.Errorf("balance %s: %q %v", a, res, err)
		}
		fmt.Printf("%-6s %4d\n", a, b)
		sum += b
	}
	fmt.Printf("%d transfers done, %d refused (they would overdraw), replica 0 killed and recovered\n", done, refused)
	if sum != 500 {
		return fmt.Errorf("the balances add up to %d, not 500", sum)
	}
	return nil
}

// freeAddrs returns n distinct loopback addresses whose ports were free a
// moment ago. It holds every port until it has all n: a port released at
// once can be handed out again by the next bind, and a cluster configured
// with one address twice refuses to start.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

func start(self string, i int, addrs []string, newCluster bool) *exec.Cmd {
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), fmt.Sprintf("BANK_REPLICA=%d %s", i, strings.Join(addrs, " ")))
	if newCluster {
		cmd.Env = append(cmd.Env, "BANK_NEW=1")
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	return cmd
}
