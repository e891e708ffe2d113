package netproxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Direction is one way of the bytes through a Proxy.
type Direction uint8

const (
	// Forward is from the side that dialled the proxy to the target.
	Forward Direction = iota
	// Backward is from the target back to the side that dialled.
	Backward
)

// String names the direction.
func (d Direction) String() string {
	if d == Forward {
		return "forward"
	}
	return "backward"
}

// MaxDelay bounds the latency SetDelay may add.
const MaxDelay = 10 * time.Second

// defaultDialTimeout bounds one dial of the target unless Config says.
const defaultDialTimeout = time.Second

// Config configures a Proxy.
type Config struct {
	// Listen is the loopback host:port to listen on; port 0 picks a free
	// one (see Proxy.Addr).
	Listen string
	// Target is the loopback host:port every accepted connection is
	// forwarded to.
	Target string
	// Name names the proxy in logs, for example "0->2".
	Name string
	// Logger gets connection events at debug level and fault changes at
	// info level; none if nil.
	Logger *slog.Logger
	// DialTimeout bounds one dial of the target; default 1s.
	DialTimeout time.Duration
}

// Proxy forwards connections from its listen address to its target,
// subject to the faults set on it. Its methods are safe for concurrent use.
type Proxy struct {
	cfg    Config
	ln     net.Listener
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	cut   bool
	dirs  [2]dirState
	conns map[*pair]struct{}

	accepted, refused atomic.Uint64
	bytes, dropped    [2]atomic.Uint64
}

// dirState is the fault set on one direction.
type dirState struct {
	blackhole bool
	delay     time.Duration
}

// Stats counts what a Proxy did since it started.
type Stats struct {
	Accepted uint64    // connections forwarded to the target
	Refused  uint64    // connections reset at once (cut, or the target did not answer)
	Open     int       // connections open now
	Bytes    [2]uint64 // bytes delivered, by Direction
	Dropped  [2]uint64 // bytes a blackhole discarded, by Direction
}

// Start listens on cfg.Listen and forwards connections until ctx ends or
// Close is called.
func Start(ctx context.Context, cfg Config) (*Proxy, error) {
	if err := checkLoopback("listen", cfg.Listen); err != nil {
		return nil, err
	}
	if err := checkLoopback("target", cfg.Target); err != nil {
		return nil, err
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = defaultDialTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("netproxy %s: %w", cfg.Name, err)
	}
	p := &Proxy{cfg: cfg, ln: ln, log: log.With("proxy", cfg.Name, "target", cfg.Target),
		conns: map[*pair]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Go(p.acceptLoop)
	p.wg.Go(func() {
		<-p.ctx.Done()
		_ = p.ln.Close()
		p.closeAll()
	})
	return p, nil
}

// checkLoopback returns an error unless addr is a host:port whose host is
// a loopback IP address or "localhost".
func checkLoopback(what, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("netproxy: bad %s address %q: %w", what, addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("netproxy: %s address %q is not a loopback address", what, addr)
	}
	return nil
}

// Addr is the address the proxy listens on: dial it instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target is the address the proxy forwards to.
func (p *Proxy) Target() string { return p.cfg.Target }

// Name is the proxy's name from its Config.
func (p *Proxy) Name() string { return p.cfg.Name }

// Close stops the proxy: it closes the listener and every connection, and
// waits until all its goroutines have ended.
func (p *Proxy) Close() error {
	p.cancel()
	p.wg.Wait()
	return nil
}

// Stats returns the proxy's counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	open := len(p.conns)
	p.mu.Unlock()
	return Stats{
		Accepted: p.accepted.Load(), Refused: p.refused.Load(), Open: open,
		Bytes:   [2]uint64{p.bytes[Forward].Load(), p.bytes[Backward].Load()},
		Dropped: [2]uint64{p.dropped[Forward].Load(), p.dropped[Backward].Load()},
	}
}

// Cut resets every open connection and every new one until Heal.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	victims := p.connsLocked(func(*pair) bool { return true })
	p.mu.Unlock()
	p.log.Info("netproxy: cut", "reset", len(victims))
	resetAll(victims)
}

// SetBlackhole starts (on) or ends discarding the bytes read in direction
// d. Ending it resets the connections that lost bytes in d.
func (p *Proxy) SetBlackhole(d Direction, on bool) {
	p.mu.Lock()
	p.dirs[d].blackhole = on
	var victims []*pair
	if !on {
		victims = p.connsLocked(func(c *pair) bool { return c.lost[d].Load() })
	}
	p.mu.Unlock()
	p.log.Info("netproxy: blackhole", "dir", d, "on", on, "reset", len(victims))
	resetAll(victims)
}

// SetDelay makes every chunk read in direction d from now on wait delay
// before it is written; 0 ends the delay. It fails for a delay outside
// [0, MaxDelay].
func (p *Proxy) SetDelay(d Direction, delay time.Duration) error {
	if delay < 0 || delay > MaxDelay {
		return fmt.Errorf("netproxy: delay %v outside [0, %v]", delay, MaxDelay)
	}
	p.mu.Lock()
	p.dirs[d].delay = delay
	p.mu.Unlock()
	p.log.Info("netproxy: delay", "dir", d, "delay", delay)
	return nil
}

// Heal ends every fault: no cut, no blackhole, no delay. Connections that
// lost bytes to a blackhole are reset; chunks already delayed are still
// delivered at their time.
func (p *Proxy) Heal() {
	p.mu.Lock()
	p.cut = false
	p.dirs = [2]dirState{}
	victims := p.connsLocked(func(c *pair) bool { return c.lost[Forward].Load() || c.lost[Backward].Load() })
	p.mu.Unlock()
	p.log.Info("netproxy: heal", "reset", len(victims))
	resetAll(victims)
}

// state returns the fault set on direction d.
func (p *Proxy) state(d Direction) dirState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dirs[d]
}

// connsLocked returns the open connections that match. Called with mu.
func (p *Proxy) connsLocked(match func(*pair) bool) []*pair {
	var out []*pair
	for c := range p.conns {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

func resetAll(cs []*pair) {
	for _, c := range cs {
		c.reset()
	}
}

// closeAll resets every open connection; used when the proxy stops.
func (p *Proxy) closeAll() {
	p.mu.Lock()
	victims := p.connsLocked(func(*pair) bool { return true })
	p.mu.Unlock()
	resetAll(victims)
}

// acceptLoop accepts connections until the listener is closed.
func (p *Proxy) acceptLoop() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || p.ctx.Err() != nil {
				return
			}
			p.log.Warn("netproxy: accept failed", "err", err)
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond): // back off, e.g. after EMFILE
			}
			continue
		}
		c := p.admit(conn)
		if c == nil {
			p.refused.Add(1)
			resetConn(conn)
			continue
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// admit registers an accepted connection, or returns nil if the proxy is
// cut or stopping.
func (p *Proxy) admit(conn net.Conn) *pair {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut || p.ctx.Err() != nil {
		return nil
	}
	c := newPair(p, conn)
	p.conns[c] = struct{}{}
	return c
}

// forget unregisters a connection that ended.
func (p *Proxy) forget(c *pair) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// resetConn closes conn so that its peer sees a reset, not a clean end.
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
