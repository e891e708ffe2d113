package kv

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestGetPutDelete(t *testing.T) {
	s := New(Limits{})
	if _, found, err := s.Get(b("a")); found || err != nil {
		t.Fatalf("Get on empty store: found=%v err=%v", found, err)
	}
	v1 := mustPut(t, s, "a", "1")
	v2 := mustPut(t, s, "b", "2")
	v3 := mustPut(t, s, "a", "3")
	if v1 != 1 || v2 != 2 || v3 != 3 || s.Revision() != 3 {
		t.Fatalf("versions %d %d %d revision %d, want 1 2 3 3", v1, v2, v3, s.Revision())
	}
	it, found, err := s.Get(b("a"))
	if err != nil || !found || string(it.Value) != "3" || it.Version != 3 || string(it.Key) != "a" {
		t.Fatalf("Get(a) = %+v %v %v", it, found, err)
	}
	if s.Len() != 2 {
		t.Fatalf("Len = %d, want 2", s.Len())
	}
	if ok, err := s.Delete(b("a")); !ok || err != nil {
		t.Fatalf("Delete(a) = %v %v", ok, err)
	}
	if ok, _ := s.Delete(b("a")); ok {
		t.Fatal("second Delete(a) reported the key existed")
	}
	if s.Revision() != 4 || s.Len() != 1 {
		t.Fatalf("revision %d len %d, want 4 1 (deleting a missing key is no mutation)", s.Revision(), s.Len())
	}
	if v := mustPut(t, s, "a", "again"); v != 5 {
		t.Fatalf("re-created key has version %d, want 5", v)
	}
}

func TestGetReturnsCopy(t *testing.T) {
	s := New(Limits{})
	val := b("value")
	mustPut(t, s, "k", string(val))
	it, _, _ := s.Get(b("k"))
	it.Value[0] = 'X'
	again, _, _ := s.Get(b("k"))
	if string(again.Value) != "value" {
		t.Fatalf("mutating a Get result changed the store: %q", again.Value)
	}
}

func TestPutCopiesInput(t *testing.T) {
	s := New(Limits{})
	key, val := b("k"), b("v")
	if _, err := s.Put(key, val); err != nil {
		t.Fatal(err)
	}
	key[0], val[0] = 'x', 'x'
	it, found, _ := s.Get(b("k"))
	if !found || string(it.Value) != "v" {
		t.Fatalf("store aliased caller buffers: %+v found=%v", it, found)
	}
}

func TestCAS(t *testing.T) {
	tests := []struct {
		name        string
		setup       bool // put k=old first (version 1)
		expected    uint64
		wantSwapped bool
		wantVersion uint64
		wantValue   string // "" = absent
	}{
		{"create absent", false, 0, true, 1, "new"},
		{"absent but version expected", false, 1, false, 0, ""},
		{"exists but absence expected", true, 0, false, 1, "old"},
		{"matching version", true, 1, true, 2, "new"},
		{"stale version", true, 7, false, 1, "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Limits{})
			if tt.setup {
				mustPut(t, s, "k", "old")
			}
			before := s.Revision()
			v, swapped, err := s.CAS(b("k"), tt.expected, b("new"))
			if err != nil || swapped != tt.wantSwapped || v != tt.wantVersion {
				t.Fatalf("CAS = %d %v %v, want %d %v", v, swapped, err, tt.wantVersion, tt.wantSwapped)
			}
			it, found, _ := s.Get(b("k"))
			if string(it.Value) != tt.wantValue || found != (tt.wantValue != "") {
				t.Fatalf("after CAS value %q found %v, want %q", it.Value, found, tt.wantValue)
			}
			if grew := s.Revision() != before; grew != tt.wantSwapped {
				t.Fatalf("revision moved=%v, want %v", grew, tt.wantSwapped)
			}
		})
	}
}

func TestScan(t *testing.T) {
	s := New(Limits{})
	for _, k := range []string{"a", "b", "ba", "bb", "c", "d"} {
		mustPut(t, s, k, "v"+k)
	}
	tests := []struct {
		start, end string
		limit      int
		want       []string
		more       bool
	}{
		{"", "", 0, []string{"a", "b", "ba", "bb", "c", "d"}, false},
		{"b", "c", 0, []string{"b", "ba", "bb"}, false},
		{"b", "c", 2, []string{"b", "ba"}, true},
		{"b", "c", 3, []string{"b", "ba", "bb"}, false},
		{"bz", "", 0, []string{"c", "d"}, false},
		{"c", "b", 0, nil, false},
		{"c", "c", 0, nil, false},
		{"e", "", 1, nil, false},
		{"", "", 5, []string{"a", "b", "ba", "bb", "c"}, true},
	}
	for _, tt := range tests {
		items, more, err := s.Scan(b(tt.start), b(tt.end), tt.limit)
		if err != nil || !slices.Equal(keysOf(items), tt.want) || more != tt.more {
			t.Errorf("Scan(%q,%q,%d) = %v more=%v err=%v, want %v more=%v",
				tt.start, tt.end, tt.limit, keysOf(items), more, err, tt.want, tt.more)
		}
		for _, it := range items {
			if string(it.Value) != "v"+string(it.Key) || it.Version == 0 {
				t.Errorf("item %+v has wrong value or version", it)
			}
		}
	}
}

func TestScanPrefix(t *testing.T) {
	s := New(Limits{})
	for _, k := range []string{"a", "b", "ba", "bb", "b\xff", "b\xff\xff", "c", "\xff", "\xff\x01"} {
		mustPut(t, s, k, "v")
	}
	tests := []struct {
		prefix string
		limit  int
		want   []string
		more   bool
	}{
		{"b", 0, []string{"b", "ba", "bb", "b\xff", "b\xff\xff"}, false},
		{"b", 2, []string{"b", "ba"}, true},
		{"b\xff", 0, []string{"b\xff", "b\xff\xff"}, false},
		{"\xff", 0, []string{"\xff", "\xff\x01"}, false},
		{"", 3, []string{"a", "b", "ba"}, true},
		{"z", 0, nil, false},
	}
	for _, tt := range tests {
		items, more, err := s.ScanPrefix(b(tt.prefix), tt.limit)
		if err != nil || !slices.Equal(keysOf(items), tt.want) || more != tt.more {
			t.Errorf("ScanPrefix(%q,%d) = %q more=%v err=%v, want %q more=%v",
				tt.prefix, tt.limit, keysOf(items), more, err, tt.want, tt.more)
		}
	}
}

func TestScanByteBudget(t *testing.T) {
	s := New(Limits{MaxScanBytes: 10})
	for _, k := range []string{"a", "b", "c"} {
		mustPut(t, s, k, "1234") // 5 bytes per item
	}
	items, more, _ := s.Scan(nil, nil, 0)
	if !slices.Equal(keysOf(items), []string{"a", "b"}) || !more {
		t.Fatalf("budget scan = %v more=%v, want [a b] more", keysOf(items), more)
	}
	big := New(Limits{MaxScanBytes: 2})
	mustPut(t, big, "k", "too big for the budget")
	items, more, _ = big.Scan(nil, nil, 0)
	if len(items) != 1 || more {
		t.Fatalf("scan must return one item even over budget: %v more=%v", keysOf(items), more)
	}
}

func TestLimitErrors(t *testing.T) {
	s := New(Limits{MaxKey: 4, MaxValue: 8, MaxScan: 10})
	long, huge := bytes.Repeat(b("k"), 5), bytes.Repeat(b("v"), 9)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"get empty", second(s.Get(nil)), ErrEmptyKey},
		{"get long", second(s.Get(long)), ErrKeyTooLarge},
		{"put empty", first(s.Put(nil, b("v"))), ErrEmptyKey},
		{"put long key", first(s.Put(long, b("v"))), ErrKeyTooLarge},
		{"put huge value", first(s.Put(b("k"), huge)), ErrValueTooLarge},
		{"delete empty", first(s.Delete(nil)), ErrEmptyKey},
		{"cas huge", second(s.CAS(b("k"), 0, huge)), ErrValueTooLarge},
		{"scan long end", second(s.Scan(nil, long, 1)), ErrKeyTooLarge},
		{"scan over limit", second(s.Scan(nil, nil, 11)), ErrScanLimit},
		{"scan negative", second(s.Scan(nil, nil, -1)), ErrScanLimit},
		{"prefix long", second(s.ScanPrefix(long, 1)), ErrKeyTooLarge},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if s.Len() != 0 || s.Revision() != 0 {
		t.Fatalf("rejected ops changed state: len %d revision %d", s.Len(), s.Revision())
	}
	if _, err := s.Put(bytes.Repeat(b("k"), 4), bytes.Repeat(b("v"), 8)); err != nil {
		t.Fatalf("Put at exactly the limits: %v", err)
	}
}

func first[A any](_ A, err error) error          { return err }
func second[A, B any](_ A, _ B, err error) error { return err }

func TestOverwriteCopiesInput(t *testing.T) {
	s := New(Limits{})
	mustPut(t, s, "k", "old")
	key, val := b("k"), b("new")
	if _, err := s.Put(key, val); err != nil {
		t.Fatal(err)
	}
	key[0], val[0] = 'x', 'x'
	it, found, _ := s.Get(b("k"))
	if !found || string(it.Value) != "new" || s.Len() != 1 {
		t.Fatalf("store aliased caller buffers on overwrite: %+v found=%v len=%d", it, found, s.Len())
	}
}
