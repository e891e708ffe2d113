package wal

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// modelState is the state the log should hold after some group.
type modelState struct {
	log  []message.Entry // consecutive; never loses entries to TruncatePrefix
	hard *core.HardState
}

// apply returns the state after b.
func (s modelState) apply(b Batch) modelState {
	if b.Hard != nil {
		hs := *b.Hard
		s.hard = &hs
	}
	if b.From != 0 {
		keep := 0
		for keep < len(s.log) && s.log[keep].Op < b.From {
			keep++
		}
		s.log = append(s.log[:keep:keep], b.Entries...)
	}
	return s
}

// pos is a position in the log: a segment and an offset in it.
type pos struct{ seg, off uint64 }

func (p pos) atOrBefore(q pos) bool { return p.seg < q.seg || p.seg == q.seg && p.off <= q.off }

// crashModel tracks what every group written so far should leave behind,
// where each group ends, and what a completed Sync made durable.
type crashModel struct {
	t      *testing.T
	dir    string
	seg    int64
	w      *WAL
	fw     *fsyncWatch  // which of w's groups fsyncs surely made durable
	base   int          // states[base] is where w's first group starts from
	states []modelState // states[i]: after the i-th group since the history began
	ends   []pos        // ends[i]: where the i-th group's end record ends
	synced int          // states[synced] is surely durable
	floor  uint64       // the highest op passed to TruncatePrefix
	view   uint64
	// prepared: the log prepares its segments (Options.Preallocate,
	// jobs run in place), and a crash leaves the zeros of a prepared
	// file after what it lost, not a shorter file.
	prepared bool
}

// options returns the options the model opens its log with.
func (m *crashModel) options() Options {
	o := Options{Dir: m.dir, SegmentSize: m.seg}
	if m.prepared {
		o.Preallocate, o.Background = true, func(job func()) { job() }
	}
	return o
}

// tailPos returns where the next record would go.
func (m *crashModel) tailPos() pos { return pos{m.w.tail().seq, uint64(m.w.curSize)} }

// cur returns the state after the last group written.
func (m *crashModel) cur() modelState { return m.states[len(m.states)-1] }

// write writes b and records the group it makes.
func (m *crashModel) write(b Batch) {
	m.t.Helper()
	if err := m.w.Write(b); err != nil {
		m.t.Fatalf("Write from %d (%s): %v", b.From, opRange(b.Entries), err)
	}
	m.states = append(m.states, m.cur().apply(b))
	m.ends = append(m.ends, m.tailPos())
	m.checkBounds()
}

// checkBounds checks the WAL's view of the log against the model.
func (m *crashModel) checkBounds() {
	m.t.Helper()
	log := m.cur().log
	if len(log) == 0 {
		if m.w.LastOp() != 0 {
			m.t.Fatalf("WAL holds ..%d, model is empty", m.w.LastOp())
		}
		return
	}
	last := log[len(log)-1].Op
	if m.w.LastOp() != 0 && (m.w.LastOp() != last || m.w.FirstOp() < log[0].Op) ||
		m.w.LastOp() == 0 && last >= m.floor {
		m.t.Fatalf("WAL holds %d..%d, model %d..%d, floor %d", m.w.FirstOp(), m.w.LastOp(), log[0].Op, last, m.floor)
	}
}

// randomBatch returns a random append, replacement, pure cut or hard state.
func (m *crashModel) randomBatch(rng *rand.Rand) Batch {
	first, last := m.w.FirstOp(), m.w.LastOp()
	next := last + 1
	if log := m.cur().log; last == 0 && len(log) > 0 {
		next = log[len(log)-1].Op + 1 // the WAL forgot them all; go on from the model
	}
	switch r := rng.IntN(10); {
	case r < 5 || last == 0:
		return put(randomEntries(rng, next, m.view, 1), nil)
	case r < 8: // a view change: replace a suffix, raise the hard state
		m.view++
		from := first + uint64(rng.IntN(int(next-first)+1))
		hs := core.HardState{View: m.view, LastNormalView: m.view, PromisedView: m.view, Commit: first}
		return Batch{From: from, Entries: randomEntries(rng, from, m.view, 0), Hard: &hs}
	default:
		return Batch{Hard: &core.HardState{View: m.view, LastNormalView: m.view, PromisedView: m.view + 1}}
	}
}

// randomEntries returns min..5 entries from op on with random payload sizes.
func randomEntries(rng *rand.Rand, op, view uint64, min int) []message.Entry {
	es := make([]message.Entry, min+rng.IntN(6-min))
	for i := range es {
		es[i] = entry(op+uint64(i), view, rng.IntN(300))
	}
	return es
}

// sync syncs and checks that an fsync covered every group so far.
func (m *crashModel) sync() {
	m.t.Helper()
	if err := m.w.Sync(); err != nil {
		m.t.Fatal(err)
	}
	if m.noteDurable(); m.synced != len(m.states)-1 {
		m.t.Fatalf("Sync returned with groups %d..%d not covered by an fsync", m.synced+1, len(m.states)-1)
	}
}

// noteDurable advances synced to what the observed fsyncs covered; it
// does not trust the WAL's own bookkeeping.
func (m *crashModel) noteDurable() {
	m.synced = max(m.synced, m.base+int(m.fw.durable.Load()))
}

// truncate calls TruncatePrefix(op), which may write the hard state again
// in a group of its own.
func (m *crashModel) truncate(op uint64) {
	m.t.Helper()
	groups := m.w.groupSeq
	if err := m.w.TruncatePrefix(op); err != nil {
		m.t.Fatal(err)
	}
	if m.w.groupSeq != groups {
		m.states = append(m.states, m.cur())
		m.ends = append(m.ends, m.tailPos())
	}
	m.noteDurable()
	m.floor = max(m.floor, op)
	m.checkBounds()
}

// crash closes the WAL, cuts its last segment at a random offset past what
// a completed Sync covered (what a crash may lose), reopens it and checks
// that exactly the groups that ended before the cut survive.
func (m *crashModel) crash(rng *rand.Rand) {
	m.t.Helper()
	tail := m.tailPos()
	m.noteDurable()
	// Every byte below a completed round's end (the sync record after
	// the last synced group included) is durable, and a mark may say so.
	durable := uint64(m.w.tail().durable)
	if err := m.w.Close(); err != nil {
		m.t.Fatal(err)
	}
	lo := uint64(headerSize) // a segment's header is durable before its first record is written
	if d := m.ends[m.synced]; d.seg == tail.seg {
		lo = d.off
	}
	lo = max(lo, min(durable, tail.off))
	at := pos{tail.seg, lo + rng.Uint64N(tail.off-lo+1)}
	at.off = m.loseAfter(filepath.Join(m.dir, "log", segFile(at.seg)), at.off)

	k := m.synced
	for k+1 < len(m.ends) && m.ends[k+1].atOrBefore(at) {
		k++
	}
	m.states, m.ends = m.states[:k+1], m.ends[:k+1]
	m.reopen(m.tornAfter(m.ends[k], at))
}

// loseAfter makes the file at path lose what follows off, as a crash
// can: cut there or, in a prepared log, zeros from there to its end. It
// returns where the loss starts: zeros that were zeros already (the high
// bytes of an end record's number) were not lost.
func (m *crashModel) loseAfter(path string, off uint64) uint64 {
	m.t.Helper()
	if !m.prepared {
		if err := os.Truncate(path, int64(off)); err != nil {
			m.t.Fatal(err)
		}
		return off
	}
	b, err := os.ReadFile(path)
	if err != nil {
		m.t.Fatal(err)
	}
	for off < uint64(len(b)) && b[off] == 0 {
		off++
	}
	clear(b[off:])
	if err := os.WriteFile(path, b, 0o644); err != nil {
		m.t.Fatal(err)
	}
	return off
}

// tornAfter returns how many bytes lie after the end of the last group
// that survives (and the sync record right after it, if whole), up to the
// cut at. Groups do not span segments, so only the last segment is cut,
// never its header.
func (m *crashModel) tornAfter(end, at pos) int64 {
	path := filepath.Join(m.dir, "log", segFile(at.seg))
	b, err := os.ReadFile(path)
	if err != nil {
		m.t.Fatal(err)
	}
	keep := headerSize
	if end.seg == at.seg {
		keep = int(end.off)
		if rec, n, err := decodeRecord(b[keep:]); err == nil && rec.typ == recSync {
			keep += n
		}
	}
	// Whole records followed by zeros to the end are cut up to the zeros,
	// a prepared segment's unwritten rest; damage, to the end.
	p := keep
	for {
		_, n, err := decodeRecord(b[p:])
		if err != nil {
			break
		}
		p += n
	}
	if allZero(b[p:]) {
		return int64(p - keep)
	}
	return int64(len(b) - keep)
}

// reopen opens the log again and checks the replay against the current
// model state and the expected torn bytes.
func (m *crashModel) reopen(torn int64) {
	m.t.Helper()
	w, rep, err := Open(m.options())
	if err != nil {
		m.t.Fatalf("Open: %v", err)
	}
	m.w = w
	m.t.Cleanup(func() { _ = w.Close() })
	if rep.TornBytes != torn {
		m.t.Fatalf("torn %d bytes, want %d", rep.TornBytes, torn)
	}
	want := m.cur()
	sameHard(m.t, rep, want.hard)
	got := rep.Entries
	for len(want.log) > 0 && (len(got) == 0 || want.log[0].Op < got[0].Op) {
		if want.log[0].Op >= m.floor {
			m.t.Fatalf("replay lost op %d (floor %d)", want.log[0].Op, m.floor)
		}
		want.log = want.log[1:]
	}
	sameEntries(m.t, got, want.log)
	m.synced = len(m.states) - 1 // Open made the replayed log durable
	m.base, m.fw = m.synced, watch(w)
	m.ends[len(m.ends)-1] = m.tailPos()
	m.checkBounds()
}

// TestRandomCrashes drives the WAL with random appends, view changes, pure
// cuts, hard states, syncs, prefix truncations, clean reopens and crashes
// that lose an unsynced part of the last segment, and checks every replay
// against a model: the state after exactly the groups that ended before
// the crash point, never fewer than a completed Sync covered.
func TestRandomCrashes(t *testing.T) {
	for _, prepared := range []bool{false, true} {
		t.Run(fmt.Sprintf("prepared=%v", prepared), func(t *testing.T) { randomCrashes(t, prepared) })
	}
}

// randomCrashes runs TestRandomCrashes on logs that prepare their
// segments, or not.
func randomCrashes(t *testing.T, prepared bool) {
	noFsync(t)
	for seed := range uint64(16) {
		rng := rand.New(rand.NewPCG(seed, 7))
		dir := t.TempDir()
		m := &crashModel{t: t, dir: dir, seg: int64(150 + rng.IntN(1500)), view: 1, prepared: prepared}
		m.states, m.ends = []modelState{{}}, []pos{{1, headerSize}}
		m.reopen(0)
		for range 250 {
			switch r := rng.IntN(40); {
			case r < 26:
				m.write(m.randomBatch(rng))
			case r < 30:
				m.sync()
			case r < 34:
				if first, last := m.w.FirstOp(), m.w.LastOp(); last != 0 {
					m.truncate(first + uint64(rng.IntN(int(last-first)+2)))
				}
			case r < 36:
				m.w.Close()
				m.reopen(0)
			default:
				m.crash(rng)
			}
		}
	}
}
