package kv

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func TestApplyEveryKind(t *testing.T) {
	s := New(Limits{})
	steps := []struct {
		c    Command
		want Result
	}{
		{NewPut(b("a"), b("1")), Result{Kind: KindPut, Version: 1}},
		{NewGet(b("a")), Result{Kind: KindGet, Found: true, Value: b("1"), Version: 1}},
		{NewCAS(b("a"), 1, b("2")), Result{Kind: KindCAS, Swapped: true, Version: 2}},
		{NewCAS(b("a"), 1, b("3")), Result{Kind: KindCAS, Version: 2}},
		{NewPut(b("ab"), b("x")), Result{Kind: KindPut, Version: 3}},
		{NewScanPrefix(b("a"), 1), Result{Kind: KindScanPrefix, More: true,
			Items: []Item{{b("a"), b("2"), 2}}}},
		{NewScan(b("ab"), nil, 0), Result{Kind: KindScan,
			Items: []Item{{b("ab"), b("x"), 3}}}},
		{NewDelete(b("a")), Result{Kind: KindDelete, Found: true}},
		{NewGet(b("a")), Result{Kind: KindGet}},
		{NewGet(nil), Result{Kind: KindGet, Code: CodeEmptyKey}},
	}
	for i, st := range steps {
		if got := apply(t, s, st.c); !reflect.DeepEqual(got, st.want) {
			t.Fatalf("step %d %v: got %+v, want %+v", i, st.c.Kind, got, st.want)
		}
	}
}

func TestApplyRejectsWithoutChange(t *testing.T) {
	s := New(Limits{MaxKey: 8, MaxValue: 8})
	mustPut(t, s, "k", "v")
	digest := s.Digest()
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{nil, {0}, {0xff, 1, 2}, {byte(KindPut), 1}, NewScan(nil, nil, -1).Encode()}
	for range 200 {
		junk := make([]byte, rng.IntN(12))
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		inputs = append(inputs, junk)
	}
	for _, in := range inputs {
		if _, err := DecodeCommand(in); err == nil {
			continue // random bytes that happen to be a valid command
		}
		res, err := DecodeResult(s.Apply(0, in))
		if err != nil || !errors.Is(res.Err(), ErrBadCommand) {
			t.Fatalf("Apply(%x) = %+v, %v; want ErrBadCommand", in, res, err)
		}
	}
	for _, c := range []Command{NewPut(b("k"), b("123456789")), NewPut(b("123456789"), nil), NewCAS(nil, 0, nil)} {
		if res := apply(t, s, c); res.Code == CodeOK {
			t.Fatalf("Apply(%v) accepted an over-limit command", c.Kind)
		}
	}
	if s.Digest() != digest || s.Len() != 1 || s.Revision() != 1 {
		t.Fatal("rejected commands changed the state")
	}
}

func TestExecuteMatchesApplyAndCopies(t *testing.T) {
	a, e := New(Limits{}), New(Limits{})
	for _, c := range sampleCommands() {
		want := apply(t, a, c)
		got := e.Execute(c)
		if !bytes.Equal(got.Encode(), want.Encode()) {
			t.Fatalf("Execute(%v) = %+v, Apply gave %+v", c.Kind, got, want)
		}
	}
	res := e.Execute(NewScan(nil, nil, 0))
	res.Items[0].Value[0] = 'X'
	if e.Digest() != sumDigest(e) || e.Digest() != a.Digest() {
		t.Fatal("Execute result aliased store memory")
	}
}

// sumDigest recomputes the digest from the tree, ignoring the running sum.
func sumDigest(s *Store) uint64 {
	c := *s
	c.sum = sumTree(s.tree, s.recs())
	return c.Digest()
}

// model is a reference implementation on a Go map.
type model struct {
	rev  uint64
	data map[string]Item
}

func (m *model) exec(c Command) Result {
	r := Result{Kind: c.Kind}
	k := string(c.Key)
	cur, ok := m.data[k]
	switch c.Kind {
	case KindGet:
		r.Found, r.Value, r.Version = ok, cur.Value, cur.Version
	case KindPut:
		m.rev++
		m.data[k] = Item{c.Key, c.Value, m.rev}
		r.Version = m.rev
	case KindDelete:
		if r.Found = ok; ok {
			m.rev++
			delete(m.data, k)
		}
	case KindCAS:
		r.Version = cur.Version
		if cur.Version == c.Expected {
			m.rev++
			m.data[k] = Item{c.Key, c.Value, m.rev}
			r.Swapped, r.Version = true, m.rev
		}
	case KindScanPrefix:
		r.Items, r.More = m.scanPrefix(k, c.Limit)
	}
	return r
}

func (m *model) scanPrefix(prefix string, limit int) ([]Item, bool) {
	var keys []string
	for k := range m.data {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var items []Item
	for i, k := range keys {
		if i == limit {
			return items, true
		}
		items = append(items, m.data[k])
	}
	return items, false
}

// randomCommand draws a command over a small key space. CAS expects the
// version m holds, one more, or absence, so that it often succeeds.
func randomCommand(rng *rand.Rand, m *model) Command {
	key := b(fmt.Sprintf("k%d", rng.IntN(20)))
	val := b(fmt.Sprintf("v%d", rng.IntN(1000)))
	switch rng.IntN(6) {
	case 0:
		return NewGet(key)
	case 1, 2:
		return NewPut(key, val)
	case 3:
		return NewDelete(key)
	case 4:
		expected := []uint64{0, m.data[string(key)].Version, m.data[string(key)].Version + 1}
		return NewCAS(key, expected[rng.IntN(3)], val)
	}
	return NewScanPrefix(key[:1+rng.IntN(2)], 1+rng.IntN(5))
}

func TestAgainstModelAndDeterminism(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s1, s2 := New(Limits{}), New(Limits{})
	m := &model{data: map[string]Item{}}
	swaps := 0
	for i := range 3000 {
		c := randomCommand(rng, m)
		enc := c.Encode()
		out1, out2 := s1.Apply(0, enc), s2.Apply(0, enc)
		if want := m.exec(c); !bytes.Equal(out1, want.Encode()) {
			got, _ := DecodeResult(out1)
			t.Fatalf("op %d %v %q: store %+v, model %+v", i, c.Kind, c.Key, got, want)
		}
		if r, _ := DecodeResult(out1); r.Swapped {
			swaps++
		}
		if !bytes.Equal(out1, out2) || s1.Digest() != s2.Digest() {
			t.Fatalf("op %d: two stores diverged", i)
		}
		if s1.Digest() != sumDigest(s1) {
			t.Fatalf("op %d: incremental digest differs from recomputed", i)
		}
	}
	if swaps == 0 || s1.Len() != len(m.data) || s1.Revision() != m.rev {
		t.Fatalf("swaps %d len %d rev %d, model %d %d", swaps, s1.Len(), s1.Revision(), len(m.data), m.rev)
	}
}

func TestDigestDistinguishesStates(t *testing.T) {
	base := func() *Store {
		s := New(Limits{})
		mustPut(t, s, "a", "1")
		mustPut(t, s, "b", "2")
		return s
	}
	d := base().Digest()
	variants := map[string]func(*Store){
		"value":    func(s *Store) { mustPut(t, s, "b", "3") },
		"key":      func(s *Store) { _, _ = s.Delete(b("b")); mustPut(t, s, "c", "2") },
		"same val": func(s *Store) { mustPut(t, s, "b", "2") }, // version and revision move
		"deleted":  func(s *Store) { _, _ = s.Delete(b("a")) },
	}
	for name, mutate := range variants {
		s := base()
		mutate(s)
		if s.Digest() == d {
			t.Errorf("%s: digest unchanged", name)
		}
	}
	if base().Digest() != d {
		t.Error("equal states gave different digests")
	}
}
