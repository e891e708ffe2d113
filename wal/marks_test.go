package wal

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// span is where a group's bytes lie: segment seq, offsets [start, end).
type span struct {
	seq        uint64
	start, end int64
}

// randomLog is a log written with random groups in random segment sizes.
type randomLog struct {
	dir    string
	seg    int64
	states []modelState // states[i]: after group i (states[0]: empty)
	groups []span       // groups[i]: where group i+1 lies
}

// buildRandomLog writes 1..24 random groups to a new log; with synced,
// every group is synced before the next is written (as the node does in
// sync mode), otherwise only some are. It returns the log, still open.
func buildRandomLog(t *testing.T, rng *rand.Rand, synced bool) (*randomLog, *crashModel) {
	t.Helper()
	l := &randomLog{dir: t.TempDir(), seg: int64(150 + rng.IntN(3000))}
	if rng.IntN(4) == 0 {
		l.seg = 1 << 20
	}
	w, _ := mustOpen(t, l.dir, l.seg)
	m := &crashModel{t: t, w: w, view: 1, states: []modelState{{}}, ends: []pos{{1, headerSize}}}
	for range 1 + rng.IntN(24) {
		before := m.tailPos()
		m.write(m.randomBatch(rng))
		after := m.tailPos()
		start := int64(before.off)
		if after.seg != before.seg {
			start = headerSize
		}
		l.groups = append(l.groups, span{after.seg, start, int64(after.off)})
		if synced || rng.IntN(3) == 0 {
			if err := w.Sync(); err != nil {
				t.Fatal(err)
			}
		}
	}
	l.states = m.states
	return l, m
}

// flipGroup copies the closed log and flips bits in group g (1-based): at
// one to three random offsets, a random non-zero mask each. It returns the
// copy and a description.
func (l *randomLog) flipGroup(t *testing.T, rng *rand.Rand, g int) (string, string) {
	t.Helper()
	sp := l.groups[g-1]
	dir := copyDir(t, l.dir)
	path := filepath.Join(dir, "log", segFile(sp.seq))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	desc := fmt.Sprintf("group %d of %d (%s bytes %d..%d)", g, len(l.groups), segFile(sp.seq), sp.start, sp.end)
	for range 1 + rng.IntN(3) {
		off := sp.start + rng.Int64N(sp.end-sp.start)
		mask := byte(1 << rng.IntN(8))
		if rng.IntN(2) == 0 {
			mask = byte(1 + rng.IntN(255))
		}
		b[off] ^= mask
		desc += fmt.Sprintf(", byte %d ^= %#02x", off, mask)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, desc
}

// lessThanSynced opens dir and returns why the replay holds less than the
// state after the last group, which was synced (acknowledged), or "" if
// it holds all of it or Open refuses the log as corrupt (the replica then
// repairs from its peers).
func lessThanSynced(t *testing.T, dir string, segSize int64, want modelState) string {
	t.Helper()
	w, rep, err := Open(Options{Dir: dir, SegmentSize: segSize})
	var ce *CorruptError
	switch {
	case errors.As(err, &ce) && errors.Is(err, ErrCorrupt):
		return ""
	case err != nil:
		t.Fatalf("Open: %v, want success or a *CorruptError", err)
	}
	w.Close()
	if len(rep.Entries) != len(want.log) || (want.hard != nil) != rep.HasHard ||
		(want.hard != nil && !equalHard(rep.Hard, *want.hard)) {
		return fmt.Sprintf("resumed with %d entries (%s) and hard state %+v (torn %d bytes); acknowledged %d entries (%s) and %+v",
			len(rep.Entries), opRange(rep.Entries), rep.Hard, rep.TornBytes, len(want.log), opRange(want.log), want.hard)
	}
	sameEntries(t, rep.Entries, want.log)
	return ""
}

// syncedDamage builds a random log whose every group was synced, then, in
// copies of it, flips bits in a random group (the last one half of the
// time), and reports how a replay held less than was synced, or "".
func syncedDamage(t *testing.T, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	l, m := buildRandomLog(t, rng, true)
	if err := m.w.Close(); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		g := len(l.groups)
		if rng.IntN(2) == 0 {
			g = 1 + rng.IntN(len(l.groups))
		}
		dir, desc := l.flipGroup(t, rng, g)
		if why := lessThanSynced(t, dir, l.seg, l.states[len(l.states)-1]); why != "" {
			return fmt.Sprintf("seed %d, segment size %d, %s: %s", seed, l.seg, desc, why)
		}
	}
	return ""
}

// TestRandomSyncedDamage flips bits in groups that a completed Sync
// covered, the last one included: the replica must never resume with less
// than it synced (and so may have acknowledged). Open either refuses the
// log as corrupt or returns all of it.
func TestRandomSyncedDamage(t *testing.T) {
	noFsync(t)
	everySeedHolds(t, 60, syncedDamage)
}

// TestRandomSyncedDamageCatchesPlant plants the old behaviour (the marks
// ignored: damage at the end of the last segment with nothing valid after
// it is cut as a torn write) and checks that the randomized test catches
// it.
func TestRandomSyncedDamageCatchesPlant(t *testing.T) {
	noFsync(t)
	ignoreSyncRecords = true
	t.Cleanup(func() { ignoreSyncRecords = false })
	someSeedCatches(t, 60, syncedDamage)
}

// everySeedHolds fails t with the first reason check gives, for seeds 0
// to n-1 ("" where the seed's log held).
func everySeedHolds(t *testing.T, n uint64, check func(*testing.T, uint64) string) {
	t.Helper()
	for seed := range n {
		if why := check(t, seed); why != "" {
			t.Fatal(why)
		}
	}
}

// someSeedCatches fails t unless check gives a reason for one of seeds 0
// to n-1: a randomized test that catches the bug planted.
func someSeedCatches(t *testing.T, n uint64, check func(*testing.T, uint64) string) {
	t.Helper()
	for seed := range n {
		if why := check(t, seed); why != "" {
			t.Logf("planted bug caught: %s", why)
			return
		}
	}
	t.Fatal("no seed caught the planted bug")
}

// TestSyncedLastGroupDamage flips every byte of the last group of a log,
// which a completed Sync covered, one at a time: Open must refuse the log
// every time; it used to cut the group off as a torn write. Damage to the
// sync record after it loses nothing: only that record is cut.
func TestSyncedLastGroupDamage(t *testing.T) {
	noFsync(t)
	_, after := viewChangeLog(t, 1<<20)
	offs, _, size := recordTypes(t, filepath.Join(after, "log", segFile(1)))
	n := len(offs)
	groupStart, syncAt := offs[n-7], offs[n-1] // cut, three entries, hard, end; sync
	for i := groupStart; i < syncAt; i++ {
		openCorrupt(t, flip(t, after, segFile(1), i), segFile(1), -1)
	}
	for i := syncAt; i < size; i++ {
		_, rep := mustOpen(t, flip(t, after, segFile(1), i), 1<<20)
		sameEntries(t, rep.Entries, newLog)
		sameHard(t, rep, newHard)
		if rep.TornBytes != syncSize {
			t.Fatalf("flip in the sync record at %d: torn %d bytes, want %d", i, rep.TornBytes, syncSize)
		}
	}
}

// TestRandomTornTails crashes in the middle of a sync round (its sync
// record written, its fsync not done), or with groups written but not
// synced, and cuts the last segment anywhere a crash can (above what a
// completed sync covered), sometimes with zeros or part of a record after
// the cut, sometimes with the newest mark torn:
// Open must always succeed and keep every synced group. Without this, a
// whole-cluster crash could leave every replica refusing its log.
func TestRandomTornTails(t *testing.T) {
	noFsync(t)
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 5))
		l, m := buildRandomLog(t, rng, rng.IntN(2) == 0)
		for _, inRound := range []bool{false, true} {
			if err := m.w.Sync(); err != nil {
				t.Fatal(err)
			}
			synced := len(m.states) - 1
			for range 1 + rng.IntN(3) {
				m.write(m.randomBatch(rng))
			}
			crashed := l.crashCopy(t, m, inRound)
			for range 2 {
				desc := fmt.Sprintf("seed %d, in round %v", seed, inRound)
				l.checkTorn(t, rng, m, copyDir(t, crashed), synced, inRound, desc)
			}
		}
		m.w.Close()
	}
}

// checkTorn cuts the last segment of dir (a crash copy of l made after
// group synced was synced) where a crash can, adds what a torn write can
// leave, opens it and checks the replay.
func (l *randomLog) checkTorn(t *testing.T, rng *rand.Rand, m *crashModel, dir string, synced int, inRound bool, desc string) {
	t.Helper()
	tail := m.tailPos()
	floor := uint64(headerSize)
	if d := m.ends[synced]; d.seg == tail.seg {
		floor = d.off
	}
	cut := floor + rng.Uint64N(tail.off-floor+1)
	desc += fmt.Sprintf(": cut %s at %d (synced up to %d, written %d)", segFile(tail.seg), cut, floor, tail.off)
	path := filepath.Join(dir, "log", segFile(tail.seg))
	if err := os.Truncate(path, int64(cut)); err != nil {
		t.Fatal(err)
	}
	desc += tornGarbage(t, rng, path)
	if rng.IntN(3) == 0 {
		desc += tearNewestMark(t, path, tail.seg)
	}
	w, rep, err := Open(Options{Dir: dir, SegmentSize: l.seg})
	if err != nil {
		t.Fatalf("%s: Open: %v", desc, err)
	}
	w.Close()
	k := synced
	for k+1 < len(m.ends) && m.ends[k+1].atOrBefore(pos{tail.seg, cut}) {
		k++
	}
	// Garbage can complete the cut group by chance (zeros after an end
	// record's zero bytes): then a later state is right too.
	if !replayIsOneOf(rep, m.states[k:]) {
		t.Fatalf("%s: replay holds %s, want the state after group %d (%s) or a later one",
			desc, opRange(rep.Entries), k, opRange(m.states[k].log))
	}
}

// crashCopy returns a copy of the log as a crash would find it: with the
// groups written since the last sync in the file; inRound: in the middle
// of a sync round of them, whose mark was written but whose fsync did not
// complete.
func (l *randomLog) crashCopy(t *testing.T, m *crashModel, inRound bool) string {
	t.Helper()
	if !inRound {
		return copyDir(t, l.dir)
	}
	var dir string
	m.w.hooks.beforeFsync = func(uint64) {
		if dir == "" {
			dir = copyDir(t, l.dir)
		}
	}
	if err := m.w.Sync(); err != nil {
		t.Fatal(err)
	}
	m.w.hooks.beforeFsync = nil
	return dir
}

// tornGarbage sometimes appends what a torn write can leave after the
// cut: zeros (a file extended but not written) or the start of a record.
func tornGarbage(t *testing.T, rng *rand.Rand, path string) string {
	t.Helper()
	var tail []byte
	switch rng.IntN(3) {
	case 0:
		return ""
	case 1:
		tail = make([]byte, 1+rng.IntN(600))
	default:
		e := entry(1000, 9, rng.IntN(200))
		rec := appendEntry(nil, &e)
		tail = rec[:1+rng.IntN(len(rec)-1)]
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(tail); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(", %d bytes of garbage after it", len(tail))
}

// tearNewestMark garbles the newest mark of segment seq, as a crash while
// it was written can.
func tearNewestMark(t *testing.T, path string, seq uint64) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseHeader(b, seq)
	if err != nil {
		t.Fatal(err)
	}
	off := markOffset(h.newest)
	for i := range markLen {
		b[off+int64(i)] = byte(i * 7)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(", mark slot %d torn", h.newest)
}

// replayIsOneOf reports whether rep holds one of the states.
func replayIsOneOf(rep Replay, states []modelState) bool {
	for _, st := range states {
		if rep.HasHard != (st.hard != nil) || (st.hard != nil && !equalHard(rep.Hard, *st.hard)) ||
			len(rep.Entries) != len(st.log) {
			continue
		}
		same := true
		for i := range st.log {
			g, w := rep.Entries[i], st.log[i]
			same = same && g.Op == w.Op && g.View == w.View && string(g.Payload) == string(w.Payload)
		}
		if same {
			return true
		}
	}
	return false
}
