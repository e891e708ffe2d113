package client_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vr-go/vr/client"
)

// Every error of an operation matches exactly one outcome class. These
// tests put calls in each state a caller can leave them in, with a relay
// that drops the cluster's replies so that a request is really in flight.

// wantClass fails unless err matches class and not the other class.
func wantClass(t *testing.T, what string, err, class error) {
	t.Helper()
	other := client.ErrNotApplied
	if class == client.ErrNotApplied {
		other = client.ErrOutcomeUnknown
	}
	if !errors.Is(err, class) || errors.Is(err, other) {
		t.Fatalf("%s: err = %v; want it to match %q and not %q", what, err, class, other)
	}
}

// wantBoth fails unless err matches cause and class, and only that class.
func wantBoth(t *testing.T, what string, err, cause, class error) {
	t.Helper()
	wantClass(t, what, err, class)
	if !errors.Is(err, cause) {
		t.Fatalf("%s: err = %v; want it to match %q", what, err, cause)
	}
}

// relayed starts a cluster, a relay in front of it, a client through the
// relay with cfg, and a direct client to check what the cluster holds.
func relayed(t *testing.T, cfg client.Config) (*relay, *client.Client, *client.Client) {
	t.Helper()
	c := startTable(t, 0)
	r := startRelay(t, c.Addrs)
	cfg.Addrs, cfg.Static = r.Addrs, true // through the relay, never around it
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 50 * time.Millisecond
	}
	cl, err := client.DialConfig(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return r, cl, dial(t, c, client.Config{})
}

// withheld waits until the relay dropped a reply.
func withheld(t *testing.T, r *relay) {
	t.Helper()
	select {
	case <-r.Withheld:
	case <-ctxT(t).Done():
		t.Fatal("no reply reached the relay")
	}
}

// wantValue checks the cluster holds want at key ("" means absent).
func wantValue(t *testing.T, cl *client.Client, key, want string) {
	t.Helper()
	v, _, err := cl.Get(ctxT(t), []byte(key))
	switch {
	case want == "" && !errors.Is(err, client.ErrNotFound):
		t.Fatalf("%s = %q, %v; want absent", key, v, err)
	case want != "" && (err != nil || string(v) != want):
		t.Fatalf("%s = %q, %v; want %q", key, v, err, want)
	}
}

// put runs Put in a goroutine and returns its error channel.
func put(ctx context.Context, cl *client.Client, key, value string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := cl.Put(ctx, []byte(key), []byte(value))
		errc <- err
	}()
	return errc
}

// writeModes are the two paths of a write: in a batch, and alone.
var writeModes = []struct {
	name     string
	coalesce int
}{{"coalesced", 1}, {"alone", -1}}

func TestCloseBeforeSendIsNotApplied(t *testing.T) {
	_, cl := startCluster(t, 3)
	ctx := ctxT(t)
	if _, err := cl.Put(ctx, []byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	_, err := cl.Put(ctx, []byte("k"), []byte("w"))
	wantBoth(t, "put after close", err, client.ErrClosed, client.ErrNotApplied)
	_, _, err = cl.Get(ctx, []byte("k"))
	wantBoth(t, "get after close", err, client.ErrClosed, client.ErrNotApplied)
}

// The request reaches the cluster and is applied; its reply is lost; the
// client closes. Closing must not claim it was not applied.
func TestCloseInFlightIsOutcomeUnknown(t *testing.T) {
	for _, m := range writeModes {
		t.Run(m.name, func(t *testing.T) {
			r, cl, direct := relayed(t, client.Config{Coalesce: m.coalesce})
			ctx := ctxT(t)
			if _, err := cl.Put(ctx, []byte("k"), []byte("v0")); err != nil { // registers
				t.Fatal(err)
			}
			r.Hold(true)
			errc := put(ctx, cl, "k", "v1")
			withheld(t, r)
			cl.Close()
			wantBoth(t, "put in flight at close", <-errc, client.ErrClosed, client.ErrOutcomeUnknown)
			wantValue(t, direct, "k", "v1") // it was applied
		})
	}
}

func TestCancelInFlightIsOutcomeUnknown(t *testing.T) {
	for _, m := range writeModes {
		t.Run(m.name, func(t *testing.T) {
			r, cl, direct := relayed(t, client.Config{Sessions: 1, Coalesce: m.coalesce})
			if _, err := cl.Put(ctxT(t), []byte("k"), []byte("v0")); err != nil {
				t.Fatal(err)
			}
			r.Hold(true)
			ctx, cancel := context.WithCancel(ctxT(t))
			errc := put(ctx, cl, "k", "v1")
			withheld(t, r)
			cancel()
			wantBoth(t, "cancelled in flight", <-errc, context.Canceled, client.ErrOutcomeUnknown)
			wantValue(t, direct, "k", "v1")
			// The abandoned request completes in the background and its
			// session serves the next call: no second registration.
			r.Hold(false)
			if _, err := cl.Put(ctxT(t), []byte("k"), []byte("v2")); err != nil {
				t.Fatal(err)
			}
			if st := cl.Stats(); st.Registrations != 1 || st.Sessions != 1 {
				t.Fatalf("after an abandoned call: %+v, want 1 session registered once", st)
			}
		})
	}
}

// The session's registration is in flight, its operation waits behind it:
// a caller leaving then leaves an operation that was never sent.
func TestCancelWhileRegisteringIsNotApplied(t *testing.T) {
	r, cl, direct := relayed(t, client.Config{Coalesce: -1})
	r.Hold(true)
	ctx, cancel := context.WithCancel(ctxT(t))
	errc := put(ctx, cl, "k", "v")
	withheld(t, r) // the registration's reply
	cancel()
	wantBoth(t, "cancelled while registering", <-errc, context.Canceled, client.ErrNotApplied)
	r.Hold(false)
	if _, err := cl.Put(ctxT(t), []byte("other"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	wantValue(t, direct, "other", "x")
	wantValue(t, direct, "k", "") // never sent, so never applied
}

// Every session is busy with a request in flight: a call that gives up
// waiting for one was never sent.
func TestDeadlineWaitingForSessionIsNotApplied(t *testing.T) {
	r, cl, direct := relayed(t, client.Config{Sessions: 1, Coalesce: -1})
	ctx := ctxT(t)
	if _, err := cl.Put(ctx, []byte("a"), []byte("0")); err != nil {
		t.Fatal(err)
	}
	r.Hold(true)
	errc := put(ctx, cl, "a", "1")
	withheld(t, r)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := cl.Put(short, []byte("b"), []byte("1"))
	wantBoth(t, "deadline waiting for a session", err, context.DeadlineExceeded, client.ErrNotApplied)
	r.Hold(false)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	wantValue(t, direct, "b", "")
}

// A write queued behind a running batch leaves before a batch takes it.
func TestDeadlineInBatchQueueIsNotApplied(t *testing.T) {
	r, cl, direct := relayed(t, client.Config{Sessions: 2, Coalesce: 1})
	ctx := ctxT(t)
	if _, err := cl.Put(ctx, []byte("a"), []byte("0")); err != nil {
		t.Fatal(err)
	}
	r.Hold(true)
	errc := put(ctx, cl, "a", "1")
	withheld(t, r) // the only batch allowed is in flight
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := cl.Put(short, []byte("b"), []byte("1"))
	wantBoth(t, "deadline in the batch queue", err, context.DeadlineExceeded, client.ErrNotApplied)
	r.Hold(false)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	wantValue(t, direct, "b", "")
}

func TestContextEndedBeforeCallIsNotApplied(t *testing.T) {
	for _, m := range writeModes {
		t.Run(m.name, func(t *testing.T) {
			c := startTable(t, 0)
			cl := dial(t, c, client.Config{Coalesce: m.coalesce})
			if _, err := cl.Put(ctxT(t), []byte("k"), []byte("v")); err != nil { // registers
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			for range 10 {
				_, err := cl.Put(ctx, []byte("k"), []byte("w"))
				wantBoth(t, "put with a cancelled context", err, context.Canceled, client.ErrNotApplied)
			}
			wantValue(t, cl, "k", "v")
		})
	}
}

func TestAnswersAndBadInputAreNotApplied(t *testing.T) {
	_, cl := startCluster(t, 3)
	ctx := ctxT(t)
	_, _, err := cl.Get(ctx, []byte("missing"))
	wantBoth(t, "get missing", err, client.ErrNotFound, client.ErrNotApplied)
	v, err := cl.Put(ctx, []byte("k"), []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.CAS(ctx, []byte("k"), v+1, []byte("w"))
	wantBoth(t, "cas mismatch", err, client.ErrVersionMismatch, client.ErrNotApplied)
	var casErr *client.CASError
	if !errors.As(err, &casErr) || casErr.Current != v {
		t.Fatalf("cas mismatch: %v", err)
	}
	_, err = cl.Put(ctx, nil, []byte("v"))
	wantBoth(t, "empty key", err, client.ErrEmptyKey, client.ErrNotApplied)
	_, err = cl.Put(ctx, []byte(strings.Repeat("k", 5000)), nil)
	wantBoth(t, "big key", err, client.ErrKeyTooLarge, client.ErrNotApplied)
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A table of 2 sessions, three clients: the third registration evicts the
// first client's session, whose next call learns it clearly.
func TestEvictionIsReported(t *testing.T) {
	c := startTable(t, 2)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := dial(t, c, client.Config{Logger: logger})
	ctx := ctxT(t)
	for i, cl := range []*client.Client{a, dial(t, c, client.Config{}), dial(t, c, client.Config{})} {
		if _, err := cl.Put(ctx, []byte("k"), []byte("v")); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	_, err := a.Put(ctx, []byte("k"), []byte("w"))
	wantBoth(t, "put on an evicted session", err, client.ErrSessionEvicted, client.ErrOutcomeUnknown)
	if st := a.Stats(); st.Evictions != 1 || st.Registrations != 1 {
		t.Fatalf("stats after eviction: %+v", st)
	}
	if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "evicted") ||
		!strings.Contains(out, "--max-sessions") {
		t.Fatalf("no warning about the eviction in the log:\n%s", out)
	}
	if _, err := a.Put(ctx, []byte("k"), []byte("x")); err != nil { // registers again
		t.Fatal(err)
	}
	if st := a.Stats(); st.Registrations != 2 || st.Sessions != 1 {
		t.Fatalf("stats after re-registering: %+v", st)
	}
}

// A replayed Register cannot let a request of an evicted session run
// again (docs/protocol.md, "Client table"): client a's Incr executes while
// its reply is withheld; two other clients evict a's session (a table of
// 2); a copy of a's first Register then reaches the cluster and opens a
// new session for a's client id; a's retransmissions of the Incr go on
// all along. The Incr must have run once, and a learns of the eviction.
func TestReplayedRegisterCannotRerunAfterEviction(t *testing.T) {
	c := startTable(t, 2)
	r := startRelay(t, c.Addrs)
	ctx := ctxT(t)
	a, err := client.DialConfig(ctx, client.Config{Addrs: r.Addrs, Static: true, Sessions: 1, RetryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.Put(ctx, []byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	r.Hold(true)
	incr := make(chan error, 1)
	go func() { _, _, err := a.Incr(ctx, []byte("n"), 1); incr <- err }()
	withheld(t, r) // the Incr executed; a heard nothing
	direct := dial(t, c, client.Config{})
	for i, cl := range []*client.Client{direct, dial(t, c, client.Config{})} {
		if _, err := cl.Put(ctx, []byte("other"), []byte("x")); err != nil { // registers: evicts a
			t.Fatalf("client %d: %v", i, err)
		}
	}
	r.Replay(t, c.Addrs)
	// Let a's retransmissions reach the cluster after the replayed
	// Register: each one would run the Incr again if its session were a's.
	for seen := r.apps.Load(); r.apps.Load() < seen+3; {
		select {
		case <-ctx.Done():
			t.Fatal("a stopped retransmitting")
		case <-time.After(10 * time.Millisecond):
		}
	}
	wantValue(t, direct, "n", "1")
	r.Hold(false)
	select {
	case err := <-incr:
		wantBoth(t, "incr on an evicted session", err, client.ErrSessionEvicted, client.ErrOutcomeUnknown)
	case <-ctx.Done():
		t.Fatal("the Incr never completed")
	}
	wantValue(t, direct, "n", "1")
}
