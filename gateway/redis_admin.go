package gateway

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// redisVersion is the Redis version the gateway presents in HELLO and
// INFO: the command set it follows is Redis 7's.
const redisVersion = "7.2.0"

// cmdPing: PING [message].
func cmdPing(_ context.Context, r *request) {
	if len(r.args) == 0 {
		r.conn.WriteString("PONG")
		return
	}
	r.conn.WriteBulk(r.args[0])
}

// cmdEcho: ECHO message.
func cmdEcho(_ context.Context, r *request) { r.conn.WriteBulk(r.args[0]) }

// cmdQuit: QUIT answers OK and closes the connection.
func cmdQuit(_ context.Context, r *request) {
	r.conn.WriteString("OK")
	r.conn.Close()
}

// cmdSelect: SELECT 0 (the only database).
func cmdSelect(_ context.Context, r *request) {
	if string(r.args[0]) != "0" {
		r.conn.WriteError("ERR DB index is out of range")
		return
	}
	r.conn.WriteString("OK")
}

// cmdReadOnly: READONLY lets this connection's reads (GET, MGET, EXISTS,
// SCAN, VRGET) be served by any replica: faster, spread over the
// replicas, and possibly stale. As in Redis Cluster, where READONLY
// allows reads from replicas.
func cmdReadOnly(_ context.Context, r *request) {
	if r.srv.cfg.Stale == nil {
		r.fail(ErrStaleRefused)
		return
	}
	r.state.stale = true
	r.conn.WriteString("OK")
}

// cmdReadWrite: READWRITE returns to linearizable reads.
func cmdReadWrite(_ context.Context, r *request) {
	r.state.stale = false
	r.conn.WriteString("OK")
}

// cmdNoTransactions answers MULTI, EXEC, DISCARD and WATCH.
func cmdNoTransactions(_ context.Context, r *request) {
	r.conn.WriteError("ERR transactions (MULTI/EXEC/WATCH) are not supported by vr's gateway: use VRCAS for atomic updates, MSET and MGET for several keys")
}

// cmdHello: HELLO [protover [AUTH user pass] [SETNAME name]] switches
// between RESP2 and RESP3 and describes the server.
func cmdHello(_ context.Context, r *request) {
	proto := r.state.proto
	args := r.args
	if len(args) > 0 {
		p, err := strconv.Atoi(string(args[0]))
		if err != nil || (p != 2 && p != 3) {
			r.conn.WriteError("NOPROTO unsupported protocol version")
			return
		}
		proto, args = p, args[1:]
	}
	name, msg := helloOptions(args, r.state.name)
	if msg != "" {
		r.conn.WriteError(msg)
		return
	}
	r.state.proto, r.state.name = proto, name
	r.mapHeader(7)
	for _, kv := range [][2]string{{"server", "redis"}, {"version", redisVersion}} {
		r.conn.WriteBulkString(kv[0])
		r.conn.WriteBulkString(kv[1])
	}
	r.conn.WriteBulkString("proto")
	r.conn.WriteInt(proto)
	r.conn.WriteBulkString("id")
	r.conn.WriteUint64(r.state.id)
	for _, kv := range [][2]string{{"mode", "standalone"}, {"role", "master"}} {
		r.conn.WriteBulkString(kv[0])
		r.conn.WriteBulkString(kv[1])
	}
	r.conn.WriteBulkString("modules")
	r.conn.WriteArray(0)
}

// helloOptions reads HELLO's AUTH and SETNAME. The gateway has no
// passwords: AUTH is refused rather than ignored.
func helloOptions(args [][]byte, name string) (string, string) {
	for len(args) > 0 {
		switch strings.ToLower(string(args[0])) {
		case "auth":
			return "", "ERR AUTH is not supported by vr's gateway (no passwords are configured)"
		case "setname":
			if len(args) < 2 {
				return "", errSyntax
			}
			name, args = string(args[1]), args[2:]
		default:
			return "", errSyntax
		}
	}
	return name, ""
}

// cmdClient: CLIENT SETNAME, GETNAME, SETINFO, ID.
func cmdClient(_ context.Context, r *request) {
	sub := strings.ToLower(string(r.args[0]))
	switch {
	case sub == "setname" && len(r.args) == 2:
		if strings.ContainsAny(string(r.args[1]), " \n") {
			r.conn.WriteError("ERR Client names cannot contain spaces, newlines or special characters.")
			return
		}
		r.state.name = string(r.args[1])
		r.conn.WriteString("OK")
	case sub == "getname" && len(r.args) == 1:
		if r.state.name == "" {
			r.null()
			return
		}
		r.conn.WriteBulkString(r.state.name)
	case sub == "setinfo" && len(r.args) == 3:
		r.conn.WriteString("OK")
	case sub == "id" && len(r.args) == 1:
		r.conn.WriteUint64(r.state.id)
	default:
		r.conn.WriteError(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for 'client|%s'", truncate(r.args[0])))
	}
}

// cmdCommand: COMMAND, COMMAND COUNT, COMMAND DOCS, COMMAND INFO: enough
// for clients that ask at connection time; the gateway does not describe
// its commands in detail.
func cmdCommand(_ context.Context, r *request) {
	if len(r.args) == 0 {
		r.conn.WriteArray(0)
		return
	}
	switch strings.ToLower(string(r.args[0])) {
	case "count":
		r.conn.WriteInt(len(commands))
	case "docs":
		r.mapHeader(0)
	case "info":
		r.conn.WriteArray(len(r.args) - 1)
		for range r.args[1:] {
			r.null()
		}
	default:
		r.conn.WriteError(fmt.Sprintf("ERR unknown subcommand '%s'. Try COMMAND HELP.", truncate(r.args[0])))
	}
}

// cmdConfig: CONFIG GET answers with no parameters (the gateway has none
// that Redis clients would know); CONFIG SET and the rest are refused.
func cmdConfig(_ context.Context, r *request) {
	if strings.EqualFold(string(r.args[0]), "get") {
		r.mapHeader(0)
		return
	}
	r.conn.WriteError("ERR CONFIG " + strings.ToUpper(truncate(r.args[0])) + " is not supported by vr's gateway")
}

// cmdInfo: INFO [section ...]: server, clients and replication.
func cmdInfo(_ context.Context, r *request) {
	want := map[string]bool{}
	for _, a := range r.args {
		want[strings.ToLower(string(a))] = true
	}
	all := len(want) == 0 || want["all"] || want["default"] || want["everything"]
	var b strings.Builder
	for _, sec := range []struct {
		name  string
		write func(*strings.Builder)
	}{{"server", r.infoServer}, {"clients", r.infoClients}, {"replication", r.infoReplication}} {
		if all || want[sec.name] {
			sec.write(&b)
		}
	}
	r.conn.WriteBulkString(b.String())
}

func (r *request) infoServer(b *strings.Builder) {
	fmt.Fprintf(b, "# Server\r\nredis_version:%s\r\nredis_mode:standalone\r\nvr_gateway:1\r\nprocess_id:%d\r\n\r\n", redisVersion, os.Getpid())
}

func (r *request) infoClients(b *strings.Builder) {
	fmt.Fprintf(b, "# Clients\r\nconnected_clients:%d\r\nmaxclients:%d\r\n\r\n", r.srv.open.Load(), r.srv.cfg.MaxConns)
}

// infoReplication describes the cluster behind the gateway as the
// gateway's client last learned it: the view and its primary, the
// replicas, and this connection's read mode.
func (r *request) infoReplication(b *strings.Builder) {
	cfg := r.srv.cfg
	b.WriteString("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n")
	if cfg.View != nil {
		view, primary := cfg.View()
		fmt.Fprintf(b, "vr_view:%d\r\nvr_primary:%s\r\n", view, primary)
	}
	fmt.Fprintf(b, "vr_replicas:%s\r\nvr_replica_count:%d\r\n", strings.Join(cfg.Replicas, ","), len(cfg.Replicas))
	mode := "linearizable"
	if r.state.stale {
		mode = "stale"
	}
	fmt.Fprintf(b, "vr_read_mode:%s\r\nvr_stale_reads_enabled:%d\r\n\r\n", mode, boolInt(cfg.Stale != nil))
}
