package main

import (
	"encoding/json"
	"io"
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

// Snapshot encodes the state at once and hands the bytes over to be
// written later; JSON sorts map keys, so every replica encodes the same
// state to the same bytes. That is O(state) inside the replica's step: fine
// for an example's few accounts, not for a large state (kv.Store shows the
// copy-on-write way).
func (l *Ledger) Snapshot() io.WriterTo {
	b, _ := json.Marshal(l)
	return ledgerSnapshot(b)
}

// ledgerSnapshot is an encoded ledger; WriteTo may write it many times.
type ledgerSnapshot []byte

func (s ledgerSnapshot) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(s)
	return int64(n), err
}

// Restore replaces the state with a snapshot; on error it is unchanged.
func (l *Ledger) Restore(r io.Reader) error {
	var n Ledger
	if err := json.NewDecoder(r).Decode(&n); err != nil {
		return err
	}
	*l = n
	return nil
}
