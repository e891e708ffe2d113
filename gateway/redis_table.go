package gateway

import "context"

// commandSpec is one Redis command: its handler and its arity, counting
// the command name as Redis does (a negative arity -n means at least n).
type commandSpec struct {
	arity int
	run   func(ctx context.Context, r *request)
}

func (c commandSpec) arityOK(n int) bool {
	if c.arity < 0 {
		return n >= -c.arity
	}
	return n == c.arity
}

// commands maps a lower-case command name to its spec. Filled in init to
// break the cycle COMMAND COUNT -> commands -> COMMAND.
var commands map[string]commandSpec

func init() {
	commands = map[string]commandSpec{
		// keys and values (redis_kv.go, redis_set.go, redis_incr.go)
		"get":    {2, cmdGet},
		"set":    {-3, cmdSet},
		"del":    {-2, cmdDel},
		"unlink": {-2, cmdDel},
		"exists": {-2, cmdExists},
		"mget":   {-2, cmdMGet},
		"mset":   {-3, cmdMSet},
		"incr":   {2, cmdIncr},
		"decr":   {2, cmdIncr},
		"incrby": {3, cmdIncr},
		"decrby": {3, cmdIncr},
		"scan":   {-2, cmdScan},
		"vrget":  {2, cmdVRGet},
		"vrcas":  {4, cmdVRCAS},
		// connection and server (redis_admin.go)
		"ping":      {-1, cmdPing},
		"echo":      {2, cmdEcho},
		"quit":      {-1, cmdQuit},
		"hello":     {-1, cmdHello},
		"client":    {-2, cmdClient},
		"select":    {2, cmdSelect},
		"command":   {-1, cmdCommand},
		"config":    {-2, cmdConfig},
		"info":      {-1, cmdInfo},
		"readonly":  {1, cmdReadOnly},
		"readwrite": {1, cmdReadWrite},
		"multi":     {1, cmdNoTransactions},
		"exec":      {1, cmdNoTransactions},
		"discard":   {1, cmdNoTransactions},
		"watch":     {-2, cmdNoTransactions},
	}
}
