package gateway

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tidwall/redcon"
)

// RedisServer serves the Redis protocol (RESP2, RESP3 after HELLO 3) in
// front of a Store. The protocol parsing and the connection loop are
// tidwall/redcon's; this type adds the command set, the request-size and
// connection limits, and the per-connection state.
type RedisServer struct {
	cfg     Config
	cursors *cursors
	open    atomic.Int64  // connections open now
	ids     atomic.Uint64 // last connection id
}

// NewRedisServer returns a server for cfg, or an error if cfg has no Store.
func NewRedisServer(cfg Config) (*RedisServer, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("gateway: Config.Store is required")
	}
	cfg = cfg.withDefaults()
	return &RedisServer{cfg: cfg, cursors: newCursors(maxCursors)}, nil
}

// Serve answers connections from ln until ctx ends, then closes ln and
// every connection and returns nil; it returns an error if ln fails.
func (s *RedisServer) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := redcon.NewServer(ln.Addr().String(),
		func(c redcon.Conn, cmd redcon.Command) { s.handle(ctx, c, cmd) },
		s.accept, s.closed)
	if s.cfg.IdleTimeout > 0 {
		srv.SetIdleClose(s.cfg.IdleTimeout)
	}
	var once sync.Once
	closeLn := func() { once.Do(func() { ln.Close() }) }
	go func() {
		<-ctx.Done()
		closeLn()
	}()
	err := srv.Serve(&limitListener{Listener: ln, max: s.cfg.MaxRequest})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// accept admits a connection unless MaxConns are open.
func (s *RedisServer) accept(c redcon.Conn) bool {
	if s.open.Add(1) > int64(s.cfg.MaxConns) {
		s.open.Add(-1)
		s.cfg.Logger.Warn("redis gateway: connection refused, too many open", "remote", c.RemoteAddr(), "max", s.cfg.MaxConns)
		c.WriteError("ERR max number of clients reached")
		return false
	}
	c.SetContext(&connState{id: s.ids.Add(1), proto: 2})
	return true
}

// closed forgets a connection.
func (s *RedisServer) closed(c redcon.Conn, err error) {
	s.open.Add(-1)
	if err != nil {
		s.cfg.Logger.Debug("redis gateway: connection closed", "remote", c.RemoteAddr(), "err", err)
	}
}

// handle runs one command.
func (s *RedisServer) handle(ctx context.Context, c redcon.Conn, cmd redcon.Command) {
	if lc, ok := c.NetConn().(*limitConn); ok {
		lc.commandRead()
	}
	st, _ := c.Context().(*connState)
	if st == nil || len(cmd.Args) == 0 {
		return
	}
	name := strings.ToLower(string(cmd.Args[0]))
	spec, ok := commands[name]
	if !ok {
		c.WriteError(unknownCommand(cmd.Args))
		return
	}
	if !spec.arityOK(len(cmd.Args)) {
		c.WriteError(fmt.Sprintf("ERR wrong number of arguments for '%s' command", name))
		return
	}
	r := &request{srv: s, conn: c, state: st, args: cmd.Args[1:], name: name}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	spec.run(cctx, r)
}

// unknownCommand is Redis's error for a command it does not know.
func unknownCommand(args [][]byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ERR unknown command '%s', with args beginning with: ", truncate(args[0]))
	for _, a := range args[1:min(len(args), 4)] {
		fmt.Fprintf(&b, "'%s' ", truncate(a))
	}
	return b.String()
}

func truncate(b []byte) string {
	const n = 64
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
