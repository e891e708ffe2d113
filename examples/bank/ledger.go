package main

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Ledger is the replicated state machine: accounts and balances. Ops are
// text: "open A 100", "transfer A B 30", "balance A". A transfer that would
// overdraw is refused, on every replica alike.
type Ledger struct{ Balances map[string]int64 }

func newLedger() *Ledger { return &Ledger{Balances: map[string]int64{}} }

// Apply executes one committed op (core.StateMachine).
func (l *Ledger) Apply(_ uint64, op []byte) []byte {
	f := strings.Fields(string(op))
	n, err := strconv.ParseInt(strings.Join(f[max(len(f)-1, 0):], ""), 10, 64)
	switch {
	case len(f) == 3 && f[0] == "open" && err == nil && n >= 0 && !l.has(f[1]):
		l.Balances[f[1]] = n
	case len(f) == 4 && f[0] == "transfer" && err == nil && n > 0 && l.has(f[1]) && l.has(f[2]) &&
		f[1] != f[2] && l.Balances[f[1]] >= n:
		l.Balances[f[1]] -= n
		l.Balances[f[2]] += n
	default:
		res, _ := l.Query(op)
		return res
	}
	return []byte("ok")
}

func (l *Ledger) has(a string) bool { _, ok := l.Balances[a]; return ok }

// Query answers "balance A" from the current state (core.Querier): the
// primary alone answers it under its read lease.
func (l *Ledger) Query(op []byte) ([]byte, bool) {
	if f := strings.Fields(string(op)); len(f) == 2 && f[0] == "balance" && l.has(f[1]) {
		return strconv.AppendInt(nil, l.Balances[f[1]], 10), true
	}
	return []byte("refused"), false
}

// Snapshot encodes the state; JSON sorts map keys, so every replica
// encodes the same state to the same bytes.
func (l *Ledger) Snapshot() []byte { b, _ := json.Marshal(l); return b }

// Restore replaces the state with a snapshot.
func (l *Ledger) Restore(b []byte) error { *l = Ledger{}; return json.Unmarshal(b, l) }
