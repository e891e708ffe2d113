package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary serve as a replica process, as the program
// itself does when run.
func TestMain(m *testing.M) {
	if spec := os.Getenv("BANK_REPLICA"); spec != "" {
		os.Exit(serveReplica(strings.Fields(spec), os.Getenv("BANK_NEW") != ""))
	}
	os.Exit(m.Run())
}

// TestBankOnThreeProcesses runs the example end to end: three replica
// processes, concurrent transfers, a replica killed and recovered, and the
// ledger's checks.
func TestBankOnThreeProcesses(t *testing.T) {
	if err := run(os.Args[0]); err != nil {
		t.Fatal(err)
	}
}

func TestLedgerRefusesOverdraft(t *testing.T) {
	l := newLedger()
	for _, op := range []string{"open a 10", "open b 0"} {
		if got := string(l.Apply(0, []byte(op))); got != "ok" {
			t.Fatalf("%s: %s", op, got)
		}
	}
	for _, c := range [][2]string{ // in order: each op sees the ones before
		{"transfer a b 11", "refused"}, {"transfer a b 10", "ok"}, {"transfer a a 1", "refused"},
		{"open a 5", "refused"}, {"transfer b c 1", "refused"}, {"", "refused"}, {"balance b", "10"},
	} {
		if got := string(l.Apply(0, []byte(c[0]))); got != c[1] {
			t.Errorf("%q = %q, want %q", c[0], got, c[1])
		}
	}
	snap := snapshotBytes(l)
	r := newLedger()
	if err := r.Restore(bytes.NewReader(snap)); err != nil || string(snapshotBytes(r)) != string(snap) {
		t.Fatalf("restore: %v, %s != %s", err, snapshotBytes(r), snap)
	}
}

// snapshotBytes writes l's snapshot.
func snapshotBytes(l *Ledger) []byte {
	var b bytes.Buffer
	_, _ = l.Snapshot().WriteTo(&b)
	return b.Bytes()
}
